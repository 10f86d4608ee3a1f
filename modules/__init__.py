"""The Ally course as code: content domain, services and pages."""
