"""The seeded defects by target, for BUILD files: each target's library variants, each
defect harness, and the detection matrix. Mirrors targets/defects.def, the one table;
//tests:detection_matrix fails when a defect there has no harness built from this list."""

DEFECTS = {
    "calc": [
        "calc_loop_uncharged",
        "calc_no_tail_calls",
        "calc_printer_no_limit",
    ],
    "memo": [
        "memo_no_evict",
        "memo_registry_per_lookup",
    ],
    "objrt": [
        "objrt_dealloc_recurses",
        "objrt_gc_skips_dict",
        "objrt_intern_forever",
        "objrt_parse_no_limit",
        "objrt_parse_oom_leak",
        "objrt_refcount_nonatomic",
        "objrt_repr_no_guard",
        "objrt_weakref_not_cleared",
        "objrt_weakref_strong",
    ],
}

# The defects of class data-race in defects.def: they show only under ThreadSanitizer, so
# tools that fuzz them (the campaign) build their harnesses with it.
RACES = ["objrt_refcount_nonatomic"]
