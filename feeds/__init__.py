"""Getting articles in: fetching and parsing feeds, importing stored files, cleaning page text."""
import logging

# trafilatura and the libraries under it log their own ERROR/WARNING lines ("empty HTML
# tree", "discarding data") about pages that we report ourselves with the page's name. In a
# worker process nobody configures logging, and Python's last-resort handler would print
# those lines bare on the user's terminal; a NullHandler on their loggers stops that. In
# the command line's own process they reach its handler, which shows them only with -vv.
for _name in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
