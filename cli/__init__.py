"""The commands of the command line, one module per group; ``briefing.py`` parses the
arguments, dispatches to them and turns their errors into messages."""
