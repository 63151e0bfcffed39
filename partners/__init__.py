"""Choosing and watching partners: credit, development-potential and localization scores of current
and prospective partners, and compliance with each agreement's observable terms (the top layer:
it reads the other apps through their selectors and acts through their services)."""
