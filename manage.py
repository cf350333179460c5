#!/usr/bin/env python
from cleanprod.cli import main

if __name__ == "__main__":
    main()
