"""One module per command group; each defines `register(subparsers)`. Argument parsing and output only."""
