"""Template helpers of payments' pages."""
