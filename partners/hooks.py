"""The hooks this app offers to later apps: none (it is the top layer)."""
