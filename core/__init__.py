"""What every stage shares: the domain records, the options object and the user-facing errors."""
