"""The semantic model every rule reads: names, bindings, calls, and (later) data flow."""
