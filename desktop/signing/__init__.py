"""Signatures: the signer's key and certificate (core), detached CMS over a manifest, PAdES on the PDF.

Kept empty so that naming a signing error (``desktop.signing.errors``) does not load the crypto libraries.
"""
