"""The public storefront: home, search and browse, product and producer pages."""
