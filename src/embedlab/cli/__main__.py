"""``python -m embedlab.cli`` runs the command line, as ``python -m embedlab`` does."""

import sys

from embedlab.cli import main

main(sys.argv[1:])
