"""The pharmacist's register pages."""
