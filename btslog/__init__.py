"""btslog: ingest, log, review, anonymize and cut behind-the-scenes footage.

Importing the package is instant; heavy libraries load only where they are used.
"""

__version__ = "0.1.0"
