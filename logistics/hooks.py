"""Where later apps plug into logistics without logistics importing them (DESIGN.md section 2):
registries of callables that logistics' services call."""

# fee_accrued(accrual): a StorageFeeAccrual was written (payments books it to the ledger).
fee_accrued = []
# consignment_stock_changed(partnership, skus): sellable consignment stock changed (the partner zone
# shows goods in the local warehouse as shipping from it).
consignment_stock_changed = []
# aged_stock_markdown(action): an agreed markdown of aged consignment stock (the partner zone runs it).
aged_stock_markdown = []


def call(hooks, *args, **kwargs):
    for hook in list(hooks):
        hook(*args, **kwargs)
