"""``python -m veloxapi``: the ``velox`` command line."""

from veloxapi.cli import main

if __name__ == "__main__":
    main()
