"""The signed-in area for producers, helpers and operators."""
