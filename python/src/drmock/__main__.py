"""`python -m drmock ARGS`: the same as the `drmock` console script."""
from ._launcher import main

main()
