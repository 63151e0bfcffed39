"""The shop's business operations, one module per area; each public function is one transaction."""
