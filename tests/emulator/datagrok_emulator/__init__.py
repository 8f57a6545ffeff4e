"""A small stand-in for the Datagrok public REST API (data connections and the routes around them)."""
