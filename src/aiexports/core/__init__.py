"""The pure core: values in, values out. No I/O, clock, environment or framework imports."""
