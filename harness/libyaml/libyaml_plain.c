/*
** libyaml_plain.c: the plain libFuzzer harness a libyaml user would write without
** ouroboros, the benchmark's baseline: the input is a YAML stream; every document is
** loaded, then dumped into a memory buffer. One thread, no detectors but the sanitizers.
*/
#include <yaml.h>

#include <stddef.h>
#include <stdint.h>

/* Big enough for what a fuzz input's documents dump to; a write error past it is fine. */
static unsigned char output[1 << 16];

/* libFuzzer's entry point: always returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    yaml_parser_t parser;
    yaml_emitter_t emitter;
    size_t written = 0;
    if (!yaml_parser_initialize(&parser))
        return 0;
    if (!yaml_emitter_initialize(&emitter)) {
        yaml_parser_delete(&parser);
        return 0;
    }
    yaml_parser_set_input_string(&parser, data, size);
    yaml_emitter_set_output_string(&emitter, output, sizeof output, &written);
    int ok = yaml_emitter_open(&emitter);
    while (ok) {
        yaml_document_t document;
        if (!yaml_parser_load(&parser, &document))
            break;
        int last = yaml_document_get_root_node(&document) == NULL;
        ok = yaml_emitter_dump(&emitter, &document); /* takes the document, always */
        if (last)
            break;
    }
    if (ok)
        yaml_emitter_close(&emitter);
    yaml_emitter_delete(&emitter);
    yaml_parser_delete(&parser);
    return 0;
}
