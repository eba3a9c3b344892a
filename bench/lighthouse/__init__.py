"""Lighthouse over every page a buyer, seller, onboarder or officer opens
(``python -m bench.lighthouse``): scores into docs/BENCHMARKS.md, non-zero exit below target."""
