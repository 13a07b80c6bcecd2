"""tg_library: a target library plus one variant per seeded defect.

For a defect id such as "objrt_weakref_strong" the variant is `:objrt_weakref_strong`, built
with -DOBJRT_DEFECT_WEAKREF_STRONG (the target's name, then _DEFECT_, then the rest of the
id, upper-cased), which is how targets/defects.def names every switch.
"""

def defect_macro(defect_id):
    target, _, rest = defect_id.partition("_")
    return (target + "_DEFECT_" + rest).upper()

def tg_library(name, defects = [], copts = [], **attrs):
    """A cc_library `name` (clean) and a cc_library per id in `defects` with its switch on."""
    native.cc_library(name = name, copts = copts, **attrs)
    for defect_id in defects:
        if not defect_id.startswith(name + "_"):
            fail("defect %s does not belong to target %s" % (defect_id, name))
        native.cc_library(
            name = defect_id,
            copts = copts + ["-D" + defect_macro(defect_id)],
            **attrs
        )
