"""The seeded defects by target, for BUILD files: each target's library variants, each
defect harness, and the detection matrix. Mirrors targets/defects.def, the one table:
//tests:detection_matrix fails when a defect there has no harness built from this list,
and //tests/targets:defects_bzl_test when a class here differs from the catalog's."""

# Each defect's id and the class the suite must report, in defects.def's order.
CLASSES = {
    "objrt_weakref_strong": "leak",
    "objrt_gc_skips_dict": "leak",
    "objrt_intern_forever": "growth",
    "objrt_parse_no_limit": "stack-budget",
    "objrt_dealloc_recurses": "stack-budget",
    "objrt_repr_no_guard": "stack-overflow",
    "objrt_refcount_nonatomic": "data-race",
    "objrt_weakref_not_cleared": "heap-use-after-free",
    "objrt_parse_oom_leak": "leak",
    "memo_no_evict": "growth",
    "memo_registry_per_lookup": "growth",
    "calc_no_tail_calls": "stack-overflow",
    "calc_loop_uncharged": "hang",
    "calc_printer_no_limit": "stack-budget",
}

def _by_target():
    targets = {}
    for defect in CLASSES:
        target = defect.partition("_")[0]
        targets[target] = sorted(targets.get(target, []) + [defect])
    return targets

DEFECTS = _by_target()

# The defects of class data-race: they show only under ThreadSanitizer, so their harnesses
# are built with it (ob_fuzz_harness's sanitizer).
RACES = [d for d in CLASSES if CLASSES[d] == "data-race"]

def sanitizer_of(defect):
    return "tsan" if defect in RACES else "asan"
