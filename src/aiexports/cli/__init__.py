"""The command-line edge: parse arguments, call a service, render the result."""
