"""Software bill of materials for the environment an app runs in.

``inventory`` reads the installed distributions, ``cyclonedx`` turns them into a
CycloneDX document, ``soup`` drafts the per-dependency records regulated teams
keep, and ``justifications`` says why veloxapi depends on each package.
"""
