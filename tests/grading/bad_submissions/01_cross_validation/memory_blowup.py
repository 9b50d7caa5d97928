# kind: wrong
# about: keeps reserving 256 MB arrays before defining the function; the kernel's memory limit stops it
# fails: group_leakage_gap_visible, group_leakage_gap_hidden

# cell: group_leakage_gap
blocks = []
while True:
    blocks.append(np.empty(256 * 1024**2, dtype=np.uint8))
