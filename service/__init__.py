"""HTTP and command-line front ends of Folio: turns requests into calls on `index`."""
