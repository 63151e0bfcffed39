"""After-sales business operations, one module per area: `disposition` (what becomes of each graded
returned unit, and its resale). Each public function is one transaction."""
