# kind: wrong
# about: an endless loop before the definition; the per-cell timeout interrupts it, group_splits is never defined
# fails: group_splits_visible, group_splits_hidden

# cell: group_splits
while True:
    pass
