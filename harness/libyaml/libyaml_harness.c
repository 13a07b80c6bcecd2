/*
** libyaml_harness.c: libyaml 0.2.5 (Debian's source) under concurrent programs: the
** scanner, the event parser, the document loader, the document-building API, the event
** emitter and the document dumper, one public function per operation.
**
** Handles name three kinds of object, each a wrapper of ours around the library's struct:
** a parser (with its input), a document, an emitter (with its output). The kit's handles
** are untyped, so every wrapper starts with its kind and an operation given the wrong
** kind returns E_KIND without calling the library. The input's registry (setup) owns
** every wrapper and teardown frees them, because yaml_emitter_dump takes a document over
** (it destroys the document's content, on success and on error): a released handle
** cannot free what a dump already took, and check needs the emitters' output after the
** kit has released the handles. A dumped document's handle stays, marked dead, and the
** operations that use it return E_REFUSED.
**
** Node ids. The document API names nodes by an int id (1..count) and asserts that ids
** are valid; the harness wraps an id argument into 1..count, and refuses an append to a
** node of the wrong type, so a program never trips an assertion the header documents as
** the caller's duty. The same goes for the other documented preconditions: a parser is
** driven by scan, parse or load and never a mix (yaml.h: "must not alternate"),
** yaml_emitter_open only before the stream is opened, yaml_emitter_close only after,
** yaml_emitter_flush only once the output encoding is known ("Output encoding must be
** set"). libyaml has no function that tells whether an emitter is open or has its
** encoding, so those guards read the emitter's opened and encoding fields, which yaml.h
** calls internal. Everything else the library is asked to handle itself, errors and calls
** after errors included; an assertion that still fails is a finding (the kit's ob_assert.c).
**
** Check: every live document's items and pairs name nodes of that document, and every
** emitter whose stream ended without an error wrote output that parses back.
**
** Threads. libyaml keeps no global state and its objects are not thread-safe, so each
** wrapper has a mutex, taken through the kit's lock hook (a scheduling point on fibers);
** an operation on two objects takes both in address order.
**
** What the kit cannot reach here: libyaml allocates through yaml_malloc/yaml_realloc,
** which call malloc and realloc directly, with no way to install other functions, so
** the target leaves alloc_hooks unset (programs carry no !fail points) and its out-of-memory
** paths stay unreached. It exposes
** no counters either, so there are no gauges: its leaks are LeakSanitizer's to find.
*/
/* fmemopen and open_memstream, the file input and output. */
#define _POSIX_C_SOURCE 200809L

#include <ouroboros/ob_kit.h>

#include <yaml.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What an operation returns besides 0; the kit only counts them. */
enum {
    E_LIBYAML = 1, /* the library returned its error */
    E_KIND = 2,    /* a handle of another kind of object */
    E_REFUSED = 3, /* a documented precondition does not hold, so the call is not made */
    E_NOMEM = 4,   /* the harness itself could not allocate */
};

/* A string-output emitter writes into a fixed buffer this small, so that long output
   reaches the library's YAML_WRITE_ERROR path; the handler output grows to OUT_CAP. */
enum { STRING_OUT = 1024, OUT_CAP = 1 << 20 };

typedef enum kind { K_PARSER, K_DOCUMENT, K_EMITTER } kind;

typedef struct obj {
    kind kind;
    pthread_mutex_t mu;
    struct obj *next; /* the registry's list */
} obj;

typedef enum parser_mode { M_NONE, M_SCAN, M_PARSE, M_LOAD } parser_mode;
typedef enum parser_source { S_STRING, S_FILE, S_STREAM } parser_source;

typedef struct parser_obj {
    obj base;
    yaml_parser_t parser;
    parser_mode mode;
    parser_source source;
    unsigned char *input; /* S_STRING, S_FILE: fixed; S_STREAM: grows with parser.feed */
    size_t len, cap, at;  /* at: what the stream's read handler has handed out */
    FILE *file;           /* S_FILE: fmemopen over input */
} parser_obj;

typedef struct doc_obj {
    obj base;
    yaml_document_t doc;
    int live; /* 0 once a dump took the document */
} doc_obj;

typedef enum emitter_sink { O_STRING, O_HANDLER, O_FILE } emitter_sink;

typedef struct emitter_obj {
    obj base;
    yaml_emitter_t emitter;
    emitter_sink sink;
    unsigned char *out; /* O_STRING: STRING_OUT bytes; O_HANDLER: grows; O_FILE: memstream */
    size_t len, cap;    /* O_STRING: len is the library's size_written */
    FILE *file;
} emitter_obj;

typedef struct registry {
    pthread_mutex_t mu;
    obj *head;
} registry;

/* ---- the registry and the wrappers ---- */

static void *setup(void)
{
    registry *r = calloc(1, sizeof *r);
    if (r)
        pthread_mutex_init(&r->mu, NULL);
    return r;
}

static void enroll(registry *r, obj *o, kind k)
{
    o->kind = k;
    pthread_mutex_init(&o->mu, NULL);
    ob_hook_lock(NULL, &r->mu);
    o->next = r->head;
    r->head = o;
    ob_hook_unlock(NULL, &r->mu);
}

static void free_parser(parser_obj *p)
{
    yaml_parser_delete(&p->parser);
    if (p->file)
        fclose(p->file);
    free(p->input);
}

static void free_emitter(emitter_obj *e)
{
    yaml_emitter_delete(&e->emitter);
    if (e->file)
        fclose(e->file);
    free(e->out);
}

static void free_obj(obj *o)
{
    if (o->kind == K_PARSER)
        free_parser((parser_obj *)o);
    else if (o->kind == K_EMITTER)
        free_emitter((emitter_obj *)o);
    else if (((doc_obj *)o)->live)
        yaml_document_delete(&((doc_obj *)o)->doc);
    pthread_mutex_destroy(&o->mu);
    free(o);
}

static void teardown(void *state)
{
    registry *r = state;
    if (!r)
        return;
    for (obj *o = r->head, *next; o; o = next) {
        next = o->next;
        free_obj(o);
    }
    pthread_mutex_destroy(&r->mu);
    free(r);
}

/* The registry owns every wrapper (see the file header): a handle's end frees nothing. */
static void release(void *state, void *o)
{
    (void)state;
    (void)o;
}

/* The handle argument i as a wrapper of kind k, or NULL. */
static void *as(const ob_call *c, unsigned i, kind k)
{
    obj *o = c->objs[i];
    return o->kind == k ? o : NULL;
}

static void lock(void *o)
{
    ob_hook_lock(NULL, &((obj *)o)->mu);
}

static void unlock(void *o)
{
    ob_hook_unlock(NULL, &((obj *)o)->mu);
}

/* Two objects, in address order, so that two threads never wait on each other. */
static void lock2(void *a, void *b)
{
    int a_first = (uintptr_t)a < (uintptr_t)b;
    lock(a_first ? a : b);
    if (a != b)
        lock(a_first ? b : a);
}

static void unlock2(void *a, void *b)
{
    if (a != b)
        unlock(a);
    unlock(b);
}

static int done(void *o, int ok)
{
    unlock(o);
    return ok ? 0 : E_LIBYAML;
}

/* ---- enums: the library's own, and a few fixed names and tags ---- */

static const char *const encodings[] = {"any", "utf8", "utf16le", "utf16be"};
static const yaml_encoding_t encoding_of[] = {YAML_ANY_ENCODING, YAML_UTF8_ENCODING,
                                              YAML_UTF16LE_ENCODING, YAML_UTF16BE_ENCODING};
static const char *const breaks[] = {"any", "cr", "ln", "crln"};
static const yaml_break_t break_of[] = {YAML_ANY_BREAK, YAML_CR_BREAK, YAML_LN_BREAK,
                                        YAML_CRLN_BREAK};
static const char *const scalar_styles[] = {"any",    "plain",   "single",
                                            "double", "literal", "folded"};
static const yaml_scalar_style_t scalar_style_of[] = {
    YAML_ANY_SCALAR_STYLE,           YAML_PLAIN_SCALAR_STYLE,   YAML_SINGLE_QUOTED_SCALAR_STYLE,
    YAML_DOUBLE_QUOTED_SCALAR_STYLE, YAML_LITERAL_SCALAR_STYLE, YAML_FOLDED_SCALAR_STYLE};
/* Sequence and mapping styles have the same three values. */
static const char *const styles[] = {"any", "block", "flow"};
static const yaml_sequence_style_t sequence_style_of[] = {
    YAML_ANY_SEQUENCE_STYLE, YAML_BLOCK_SEQUENCE_STYLE, YAML_FLOW_SEQUENCE_STYLE};
static const yaml_mapping_style_t mapping_style_of[] = {
    YAML_ANY_MAPPING_STYLE, YAML_BLOCK_MAPPING_STYLE, YAML_FLOW_MAPPING_STYLE};

/* Anchors from a small set, so that aliases meet their anchors; "id001" is also the name
   the dumper generates for its first shared node, and "bad:anchor" is not alphanumeric,
   which the emitter must refuse. */
static const char *const anchors[] = {"none", "a", "b", "id001", "bad:anchor"};
static const char *const alias_names[] = {"a", "b", "id001", "bad:anchor"};

static const yaml_char_t *anchor_arg(const ob_call *c, unsigned i)
{
    return c->args[i].i ? (const yaml_char_t *)anchors[c->args[i].i] : NULL;
}

/* Node tags for the document API: NULL is the library's default tag for the kind. The
   "e" tag matches the %TAG !e! directive of the directive sets below. */
static const char *const node_tags[] = {"default", "str",   "int", "seq",
                                        "map",     "local", "e",   "empty"};
static const char *const node_tag_of[] = {NULL,
                                          YAML_STR_TAG,
                                          YAML_INT_TAG,
                                          YAML_SEQ_TAG,
                                          YAML_MAP_TAG,
                                          "!x",
                                          "tag:example.com,2000:app/x",
                                          ""};

static const yaml_char_t *node_tag_arg(const ob_call *c, unsigned i)
{
    return (const yaml_char_t *)node_tag_of[c->args[i].i];
}

/* An event's tag and implicit flags together (4 arguments at most): "none" is no tag and
   no implicit flag, which the emitter must refuse; "plain" is implicit only when the
   scalar is written plain. */
static const char *const event_tags[] = {"implicit", "plain", "str", "local", "e", "none"};
static const char *const event_tag_of[] = {
    NULL, NULL, YAML_STR_TAG, "!x", "tag:example.com,2000:app/x", NULL};
static const int plain_implicit_of[] = {1, 1, 0, 0, 0, 0};
static const int quoted_implicit_of[] = {1, 0, 0, 0, 0, 0};

static const yaml_char_t *event_tag_arg(const ob_call *c, unsigned i)
{
    return (const yaml_char_t *)event_tag_of[c->args[i].i];
}

/* Document directives: %YAML versions the emitter accepts (1.1, 1.2) and one it must
   refuse (2.0), a %TAG directive, and a tag handle that is not one ("e"). */
static const char *const directive_sets[] = {"none", "yaml11", "yaml12", "yaml20",
                                             "tag",  "both",   "badtag"};
static yaml_version_directive_t versions[] = {{1, 1}, {1, 2}, {2, 0}};
static yaml_tag_directive_t tag_e[] = {
    {(yaml_char_t *)"!e!", (yaml_char_t *)"tag:example.com,2000:"}};
static yaml_tag_directive_t tag_bad[] = {{(yaml_char_t *)"e", (yaml_char_t *)"tag:x,2000:"}};

typedef struct directives {
    yaml_version_directive_t *version;
    yaml_tag_directive_t *start, *end;
} directives;

static directives directive_arg(const ob_call *c, unsigned i)
{
    switch (c->args[i].i) {
    case 1:
    case 2:
    case 3:
        return (directives){&versions[c->args[i].i - 1], NULL, NULL};
    case 4:
        return (directives){NULL, tag_e, tag_e + 1};
    case 5:
        return (directives){&versions[0], tag_e, tag_e + 1};
    case 6:
        return (directives){NULL, tag_bad, tag_bad + 1};
    default:
        return (directives){NULL, NULL, NULL};
    }
}

static const char *const implicits[] = {"explicit", "start", "end", "both"};

/* A byte argument as the library wants a value: never NULL (it asserts that). */
static const yaml_char_t *bytes_arg(const ob_call *c, unsigned i)
{
    return c->args[i].bytes ? (const yaml_char_t *)c->args[i].bytes : (const yaml_char_t *)"";
}

/* ---- parsers ---- */

/* The stream's read handler: what parser.feed appended and was not read yet; 0 bytes is
   the end of the input, as for any reader. */
static int read_stream(void *data, unsigned char *buffer, size_t size, size_t *size_read)
{
    parser_obj *p = data;
    size_t n = p->len - p->at < size ? p->len - p->at : size;
    if (n) /* input is NULL until the first feed */
        memcpy(buffer, p->input + p->at, n);
    p->at += n;
    *size_read = n;
    return 1;
}

static const char *const sources[] = {"string", "file"};

/* Points the parser at its input: a private copy, which must outlive the parser. */
static int attach_input(parser_obj *p, const ob_call *c)
{
    p->len = c->args[0].len;
    p->input = malloc(p->len ? p->len : 1);
    if (!p->input)
        return E_NOMEM;
    memcpy(p->input, bytes_arg(c, 0), p->len);
    if (p->source == S_STRING) {
        yaml_parser_set_input_string(&p->parser, p->input, p->len);
        return 0;
    }
    p->file = fmemopen(p->input, p->len, "r");
    if (!p->file)
        return E_NOMEM;
    yaml_parser_set_input_file(&p->parser, p->file);
    return 0;
}

static parser_obj *parser_make(const ob_call *c, unsigned encoding_arg)
{
    parser_obj *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if (!yaml_parser_initialize(&p->parser)) {
        free(p);
        return NULL;
    }
    if (c->args[encoding_arg].i)
        yaml_parser_set_encoding(&p->parser, encoding_of[c->args[encoding_arg].i]);
    return p;
}

static int made(ob_call *c, obj *o, kind k)
{
    enroll(c->state, o, k);
    c->result = o;
    return 0;
}

/* parser.new BYTES SOURCE ENCODING: yaml_parser_initialize, yaml_parser_set_encoding
   (unless "any"), yaml_parser_set_input_string or yaml_parser_set_input_file. */
static int op_parser_new(ob_call *c)
{
    if (!c->state)
        return E_NOMEM;
    parser_obj *p = parser_make(c, 2);
    if (!p)
        return E_LIBYAML;
    p->source = c->args[1].i ? S_FILE : S_STRING;
    int rc = attach_input(p, c);
    if (rc) {
        free_parser(p);
        free(p);
        return rc;
    }
    return made(c, &p->base, K_PARSER);
}

/* parser.new_stream ENCODING: yaml_parser_set_input with a read handler over what
   parser.feed appends, for input longer than one byte argument. */
static int op_parser_new_stream(ob_call *c)
{
    if (!c->state)
        return E_NOMEM;
    parser_obj *p = parser_make(c, 0);
    if (!p)
        return E_LIBYAML;
    p->source = S_STREAM;
    yaml_parser_set_input(&p->parser, read_stream, p);
    return made(c, &p->base, K_PARSER);
}

/* parser.feed P BYTES: more input for a stream parser (what its read handler serves). */
static int op_parser_feed(ob_call *c)
{
    parser_obj *p = as(c, 0, K_PARSER);
    if (!p)
        return E_KIND;
    if (p->source != S_STREAM)
        return E_REFUSED;
    lock(p);
    int rc = 0;
    size_t n = c->args[1].len;
    if (p->len + n > p->cap) {
        size_t cap = p->cap ? p->cap : 256;
        while (cap < p->len + n)
            cap *= 2;
        unsigned char *grown = realloc(p->input, cap);
        if (grown) {
            p->input = grown;
            p->cap = cap;
        }
        rc = grown ? 0 : E_NOMEM;
    }
    if (!rc && n) {
        memcpy(p->input + p->len, c->args[1].bytes, n);
        p->len += n;
    }
    unlock(p);
    return rc;
}

/* Takes the parser for one way of reading (yaml.h: scan, parse and load must not
   alternate); 0 when it was already another. */
static int claim(parser_obj *p, parser_mode m)
{
    if (p->mode == M_NONE)
        p->mode = m;
    return p->mode == m;
}

/* parser.scan P: yaml_parser_scan, one token, then yaml_token_delete. */
static int op_parser_scan(ob_call *c)
{
    parser_obj *p = as(c, 0, K_PARSER);
    if (!p)
        return E_KIND;
    lock(p);
    if (!claim(p, M_SCAN)) {
        unlock(p);
        return E_REFUSED;
    }
    yaml_token_t token;
    int ok = yaml_parser_scan(&p->parser, &token);
    if (ok)
        yaml_token_delete(&token);
    return done(p, ok);
}

/* parser.parse P: yaml_parser_parse, one event, then yaml_event_delete. */
static int op_parser_parse(ob_call *c)
{
    parser_obj *p = as(c, 0, K_PARSER);
    if (!p)
        return E_KIND;
    lock(p);
    if (!claim(p, M_PARSE)) {
        unlock(p);
        return E_REFUSED;
    }
    yaml_event_t event;
    int ok = yaml_parser_parse(&p->parser, &event);
    if (ok)
        yaml_event_delete(&event);
    return done(p, ok);
}

/* h = parser.load P: yaml_parser_load, the next document of the stream (one without a
   root node at its end). On an error the library has deleted the document. */
static int op_parser_load(ob_call *c)
{
    parser_obj *p = as(c, 0, K_PARSER);
    if (!p)
        return E_KIND;
    doc_obj *d = calloc(1, sizeof *d);
    if (!d)
        return E_NOMEM;
    lock(p);
    int rc = E_REFUSED;
    if (claim(p, M_LOAD))
        rc = yaml_parser_load(&p->parser, &d->doc) ? 0 : E_LIBYAML;
    unlock(p);
    if (rc) {
        free(d);
        return rc;
    }
    d->live = 1;
    return made(c, &d->base, K_DOCUMENT);
}

/* ---- documents ---- */

/* h = doc.new DIRECTIVES IMPLICIT: yaml_document_initialize. */
static int op_doc_new(ob_call *c)
{
    if (!c->state)
        return E_NOMEM;
    doc_obj *d = calloc(1, sizeof *d);
    if (!d)
        return E_NOMEM;
    directives dir = directive_arg(c, 0);
    int64_t implicit = c->args[1].i;
    if (!yaml_document_initialize(&d->doc, dir.version, dir.start, dir.end, implicit & 1,
                                  (implicit >> 1) & 1)) {
        free(d);
        return E_LIBYAML;
    }
    d->live = 1;
    return made(c, &d->base, K_DOCUMENT);
}

/* The document of handle argument 0, locked and still the harness's; NULL with *rc set
   otherwise. */
static doc_obj *doc_arg(const ob_call *c, int *rc)
{
    doc_obj *d = as(c, 0, K_DOCUMENT);
    *rc = E_KIND;
    if (!d)
        return NULL;
    lock(d);
    if (d->live)
        return d;
    unlock(d);
    *rc = E_REFUSED;
    return NULL;
}

static int node_count(const doc_obj *d)
{
    return (int)(d->doc.nodes.top - d->doc.nodes.start);
}

/* An id argument wrapped into 1..count (0 when the document has no node). */
static int node_id(const doc_obj *d, const ob_call *c, unsigned i)
{
    int n = node_count(d);
    return n ? (int)((c->args[i].i - 1) % n) + 1 : 0;
}

static int node_is(const doc_obj *d, int id, yaml_node_type_t type)
{
    return id && d->doc.nodes.start[id - 1].type == type;
}

/* doc.add_scalar D VALUE TAG STYLE: yaml_document_add_scalar. */
static int op_doc_add_scalar(ob_call *c)
{
    int rc;
    doc_obj *d = doc_arg(c, &rc);
    if (!d)
        return rc;
    int id = yaml_document_add_scalar(&d->doc, node_tag_arg(c, 2), bytes_arg(c, 1),
                                      (int)c->args[1].len, scalar_style_of[c->args[3].i]);
    return done(d, id);
}

/* doc.add_sequence D TAG STYLE: yaml_document_add_sequence. */
static int op_doc_add_sequence(ob_call *c)
{
    int rc;
    doc_obj *d = doc_arg(c, &rc);
    if (!d)
        return rc;
    int id =
        yaml_document_add_sequence(&d->doc, node_tag_arg(c, 1), sequence_style_of[c->args[2].i]);
    return done(d, id);
}

/* doc.add_mapping D TAG STYLE: yaml_document_add_mapping. */
static int op_doc_add_mapping(ob_call *c)
{
    int rc;
    doc_obj *d = doc_arg(c, &rc);
    if (!d)
        return rc;
    int id = yaml_document_add_mapping(&d->doc, node_tag_arg(c, 1), mapping_style_of[c->args[2].i]);
    return done(d, id);
}

/* doc.append_item D SEQUENCE ITEM: yaml_document_append_sequence_item. Any node may be an
   item, the sequence itself or its ancestors included: a cycle. */
static int op_doc_append_item(ob_call *c)
{
    int rc;
    doc_obj *d = doc_arg(c, &rc);
    if (!d)
        return rc;
    int seq = node_id(d, c, 1), item = node_id(d, c, 2);
    if (!node_is(d, seq, YAML_SEQUENCE_NODE)) {
        unlock(d);
        return E_REFUSED;
    }
    return done(d, yaml_document_append_sequence_item(&d->doc, seq, item));
}

/* doc.append_pair D MAPPING KEY VALUE: yaml_document_append_mapping_pair. */
static int op_doc_append_pair(ob_call *c)
{
    int rc;
    doc_obj *d = doc_arg(c, &rc);
    if (!d)
        return rc;
    int map = node_id(d, c, 1), key = node_id(d, c, 2), value = node_id(d, c, 3);
    if (!node_is(d, map, YAML_MAPPING_NODE)) {
        unlock(d);
        return E_REFUSED;
    }
    return done(d, yaml_document_append_mapping_pair(&d->doc, map, key, value));
}

/* doc.get_node D ID: yaml_document_get_node, with the id as given (the library checks its
   range itself: NULL outside it), and a read of the node it returns. */
static int op_doc_get_node(ob_call *c)
{
    int rc;
    doc_obj *d = doc_arg(c, &rc);
    if (!d)
        return rc;
    yaml_node_t *node = yaml_document_get_node(&d->doc, (int)c->args[1].i);
    return done(d, node && node->type != YAML_NO_NODE);
}

/* doc.root D: yaml_document_get_root_node. */
static int op_doc_root(ob_call *c)
{
    int rc;
    doc_obj *d = doc_arg(c, &rc);
    if (!d)
        return rc;
    return done(d, yaml_document_get_root_node(&d->doc) != NULL);
}

/* ---- emitters ---- */

/* The handler output: appends, up to OUT_CAP, past which it fails as a full disk would. */
static int write_handler(void *data, unsigned char *buffer, size_t size)
{
    emitter_obj *e = data;
    if (size > OUT_CAP - e->len)
        return 0;
    if (!size) /* out is NULL until the first write */
        return 1;
    if (e->len + size > e->cap) {
        size_t cap = e->cap ? e->cap : 1024;
        while (cap < e->len + size)
            cap *= 2;
        unsigned char *grown = realloc(e->out, cap);
        if (!grown)
            return 0;
        e->out = grown;
        e->cap = cap;
    }
    memcpy(e->out + e->len, buffer, size);
    e->len += size;
    return 1;
}

static const char *const sinks[] = {"string", "handler", "file"};

static int attach_output(emitter_obj *e)
{
    switch (e->sink) {
    case O_STRING:
        e->out = malloc(STRING_OUT);
        if (!e->out)
            return 0;
        yaml_emitter_set_output_string(&e->emitter, e->out, STRING_OUT, &e->len);
        return 1;
    case O_FILE:
        e->file = open_memstream((char **)&e->out, &e->len);
        if (!e->file)
            return 0;
        yaml_emitter_set_output_file(&e->emitter, e->file);
        return 1;
    default:
        yaml_emitter_set_output(&e->emitter, write_handler, e);
        return 1;
    }
}

/* h = emitter.new OUTPUT ENCODING BREAK: yaml_emitter_initialize, then
   yaml_emitter_set_output_string, _set_output_file (a memory stream) or _set_output (a
   handler), yaml_emitter_set_encoding (unless "any") and yaml_emitter_set_break. */
static int op_emitter_new(ob_call *c)
{
    if (!c->state)
        return E_NOMEM;
    emitter_obj *e = calloc(1, sizeof *e);
    if (!e)
        return E_NOMEM;
    if (!yaml_emitter_initialize(&e->emitter)) {
        free(e);
        return E_LIBYAML;
    }
    e->sink = (emitter_sink)c->args[0].i;
    if (!attach_output(e)) {
        free_emitter(e);
        free(e);
        return E_NOMEM;
    }
    if (c->args[1].i)
        yaml_emitter_set_encoding(&e->emitter, encoding_of[c->args[1].i]);
    yaml_emitter_set_break(&e->emitter, break_of[c->args[2].i]);
    return made(c, &e->base, K_EMITTER);
}

/* The emitter of handle argument 0, locked; NULL for another kind. */
static emitter_obj *emitter_arg(const ob_call *c)
{
    emitter_obj *e = as(c, 0, K_EMITTER);
    if (e)
        lock(e);
    return e;
}

/* emitter.set_canonical E FLAG: yaml_emitter_set_canonical. */
static int op_set_canonical(ob_call *c)
{
    emitter_obj *e = emitter_arg(c);
    if (!e)
        return E_KIND;
    yaml_emitter_set_canonical(&e->emitter, (int)c->args[1].i);
    return done(e, 1);
}

/* emitter.set_indent E N: yaml_emitter_set_indent (the library takes 2..9, else 2). */
static int op_set_indent(ob_call *c)
{
    emitter_obj *e = emitter_arg(c);
    if (!e)
        return E_KIND;
    yaml_emitter_set_indent(&e->emitter, (int)c->args[1].i);
    return done(e, 1);
}

/* emitter.set_width E N: yaml_emitter_set_width (-1 is unlimited). */
static int op_set_width(ob_call *c)
{
    emitter_obj *e = emitter_arg(c);
    if (!e)
        return E_KIND;
    yaml_emitter_set_width(&e->emitter, (int)c->args[1].i);
    return done(e, 1);
}

/* emitter.set_unicode E FLAG: yaml_emitter_set_unicode. */
static int op_set_unicode(ob_call *c)
{
    emitter_obj *e = emitter_arg(c);
    if (!e)
        return E_KIND;
    yaml_emitter_set_unicode(&e->emitter, (int)c->args[1].i);
    return done(e, 1);
}

/* emitter.open E: yaml_emitter_open, which asserts that the stream is not open yet. */
static int op_emitter_open(ob_call *c)
{
    emitter_obj *e = emitter_arg(c);
    if (!e)
        return E_KIND;
    if (e->emitter.opened) {
        unlock(e);
        return E_REFUSED;
    }
    return done(e, yaml_emitter_open(&e->emitter));
}

/* emitter.close E: yaml_emitter_close, which asserts that the stream is open. */
static int op_emitter_close(ob_call *c)
{
    emitter_obj *e = emitter_arg(c);
    if (!e)
        return E_KIND;
    if (!e->emitter.opened) {
        unlock(e);
        return E_REFUSED;
    }
    return done(e, yaml_emitter_close(&e->emitter));
}

/* emitter.flush E: yaml_emitter_flush, which asserts that the output encoding is known
   (set, or chosen at STREAM-START). */
static int op_emitter_flush(ob_call *c)
{
    emitter_obj *e = emitter_arg(c);
    if (!e)
        return E_KIND;
    if (!e->emitter.encoding) {
        unlock(e);
        return E_REFUSED;
    }
    return done(e, yaml_emitter_flush(&e->emitter));
}

/* emitter.dump E D: yaml_emitter_dump, which takes the document over whatever it returns:
   the handle stays, dead. */
static int op_emitter_dump(ob_call *c)
{
    emitter_obj *e = as(c, 0, K_EMITTER);
    doc_obj *d = as(c, 1, K_DOCUMENT);
    if (!e || !d)
        return E_KIND;
    lock2(e, d);
    int rc = E_REFUSED;
    if (d->live) {
        d->live = 0;
        rc = yaml_emitter_dump(&e->emitter, &d->doc) ? 0 : E_LIBYAML;
    }
    unlock2(e, d);
    return rc;
}

/* Emits an event made by one of the yaml_*_event_initialize functions (ok = its result);
   yaml_emitter_emit takes the event over, on success and on error. */
static int emit(emitter_obj *e, int ok, yaml_event_t *event)
{
    if (ok)
        ok = yaml_emitter_emit(&e->emitter, event);
    return done(e, ok);
}

/* emit.stream_start E ENCODING: yaml_stream_start_event_initialize, yaml_emitter_emit. */
static int op_emit_stream_start(ob_call *c)
{
    emitter_obj *e = emitter_arg(c);
    if (!e)
        return E_KIND;
    yaml_event_t ev;
    return emit(e, yaml_stream_start_event_initialize(&ev, encoding_of[c->args[1].i]), &ev);
}

/* emit.stream_end E: yaml_stream_end_event_initialize, yaml_emitter_emit. */
static int op_emit_stream_end(ob_call *c)
{
    emitter_obj *e = emitter_arg(c);
    if (!e)
        return E_KIND;
    yaml_event_t ev;
    return emit(e, yaml_stream_end_event_initialize(&ev), &ev);
}

/* emit.document_start E DIRECTIVES IMPLICIT: yaml_document_start_event_initialize. */
static int op_emit_document_start(ob_call *c)
{
    emitter_obj *e = emitter_arg(c);
    if (!e)
        return E_KIND;
    directives dir = directive_arg(c, 1);
    yaml_event_t ev;
    int ok = yaml_document_start_event_initialize(&ev, dir.version, dir.start, dir.end,
                                                  (int)c->args[2].i);
    return emit(e, ok, &ev);
}

/* emit.document_end E IMPLICIT: yaml_document_end_event_initialize. */
static int op_emit_document_end(ob_call *c)
{
    emitter_obj *e = emitter_arg(c);
    if (!e)
        return E_KIND;
    yaml_event_t ev;
    return emit(e, yaml_document_end_event_initialize(&ev, (int)c->args[1].i), &ev);
}

/* emit.alias E ANCHOR: yaml_alias_event_initialize. */
static int op_emit_alias(ob_call *c)
{
    emitter_obj *e = emitter_arg(c);
    if (!e)
        return E_KIND;
    yaml_event_t ev;
    int ok = yaml_alias_event_initialize(&ev, (const yaml_char_t *)alias_names[c->args[1].i]);
    return emit(e, ok, &ev);
}

/* yaml_scalar_event_initialize and yaml_emitter_emit; tag indexes event_tags. */
static int emit_scalar(ob_call *c, const yaml_char_t *anchor, int64_t tag, int64_t style)
{
    emitter_obj *e = emitter_arg(c);
    if (!e)
        return E_KIND;
    yaml_event_t ev;
    int ok = yaml_scalar_event_initialize(
        &ev, anchor, (const yaml_char_t *)event_tag_of[tag], bytes_arg(c, 1), (int)c->args[1].len,
        plain_implicit_of[tag], quoted_implicit_of[tag], scalar_style_of[style]);
    return emit(e, ok, &ev);
}

/* emit.scalar E VALUE TAG STYLE: a scalar without an anchor. */
static int op_emit_scalar(ob_call *c)
{
    return emit_scalar(c, NULL, c->args[2].i, c->args[3].i);
}

/* emit.scalar_anchored E VALUE ANCHOR STYLE: a scalar with an anchor and an implicit
   tag (written when an operation had at most 4 arguments; 8 are allowed now). */
static int op_emit_scalar_anchored(ob_call *c)
{
    return emit_scalar(c, anchor_arg(c, 2), 0, c->args[3].i);
}

/* emit.sequence_start E ANCHOR TAG STYLE: yaml_sequence_start_event_initialize. */
static int op_emit_sequence_start(ob_call *c)
{
    emitter_obj *e = emitter_arg(c);
    if (!e)
        return E_KIND;
    yaml_event_t ev;
    int ok = yaml_sequence_start_event_initialize(&ev, anchor_arg(c, 1), event_tag_arg(c, 2),
                                                  plain_implicit_of[c->args[2].i],
                                                  sequence_style_of[c->args[3].i]);
    return emit(e, ok, &ev);
}

/* emit.sequence_end E: yaml_sequence_end_event_initialize. */
static int op_emit_sequence_end(ob_call *c)
{
    emitter_obj *e = emitter_arg(c);
    if (!e)
        return E_KIND;
    yaml_event_t ev;
    return emit(e, yaml_sequence_end_event_initialize(&ev), &ev);
}

/* emit.mapping_start E ANCHOR TAG STYLE: yaml_mapping_start_event_initialize. */
static int op_emit_mapping_start(ob_call *c)
{
    emitter_obj *e = emitter_arg(c);
    if (!e)
        return E_KIND;
    yaml_event_t ev;
    int ok = yaml_mapping_start_event_initialize(&ev, anchor_arg(c, 1), event_tag_arg(c, 2),
                                                 plain_implicit_of[c->args[2].i],
                                                 mapping_style_of[c->args[3].i]);
    return emit(e, ok, &ev);
}

/* emit.mapping_end E: yaml_mapping_end_event_initialize. */
static int op_emit_mapping_end(ob_call *c)
{
    emitter_obj *e = emitter_arg(c);
    if (!e)
        return E_KIND;
    yaml_event_t ev;
    return emit(e, yaml_mapping_end_event_initialize(&ev), &ev);
}

/* emitter.emit_parsed E P: yaml_parser_parse, then yaml_emitter_emit of that event, the
   reformatter's loop body (the event passes from the parser to the emitter in one
   operation, since the emitter takes it over). A parser past its end or its error gives
   an empty event, which a reformatter never emits. */
static int op_emit_parsed(ob_call *c)
{
    emitter_obj *e = as(c, 0, K_EMITTER);
    parser_obj *p = as(c, 1, K_PARSER);
    if (!e || !p)
        return E_KIND;
    lock2(e, p);
    int rc = E_REFUSED;
    yaml_event_t ev;
    if (claim(p, M_PARSE)) {
        rc = yaml_parser_parse(&p->parser, &ev) ? 0 : E_LIBYAML;
        if (!rc && ev.type == YAML_NO_EVENT)
            rc = E_REFUSED;
        else if (!rc)
            rc = yaml_emitter_emit(&e->emitter, &ev) ? 0 : E_LIBYAML;
    }
    unlock2(e, p);
    return rc;
}

/* yaml.version: yaml_get_version_string and yaml_get_version, which must agree. */
static int op_version(ob_call *c)
{
    (void)c;
    int major = -1, minor = -1, patch = -1;
    char expect[32];
    yaml_get_version(&major, &minor, &patch);
    snprintf(expect, sizeof expect, "%d.%d.%d", major, minor, patch);
    return strcmp(expect, yaml_get_version_string()) ? E_LIBYAML : 0;
}

/* ---- check ---- */

/* Every item and pair of a live document names a node of that document: the dumper
   reads nodes by these ids without checking them. */
static const char *check_document(const doc_obj *d)
{
    int n = node_count(d);
    for (int i = 0; i < n; i++) {
        const yaml_node_t *node = &d->doc.nodes.start[i];
        if (node->type == YAML_SEQUENCE_NODE) {
            for (const yaml_node_item_t *it = node->data.sequence.items.start;
                 it < node->data.sequence.items.top; it++)
                if (*it < 1 || *it > n)
                    return "a sequence item names no node of its document";
        } else if (node->type == YAML_MAPPING_NODE) {
            for (const yaml_node_pair_t *pr = node->data.mapping.pairs.start;
                 pr < node->data.mapping.pairs.top; pr++)
                if (pr->key < 1 || pr->key > n || pr->value < 1 || pr->value > n)
                    return "a mapping pair names no node of its document";
        }
    }
    return yaml_document_get_root_node((yaml_document_t *)&d->doc) ==
                   (n ? d->doc.nodes.start : NULL)
               ? NULL
               : "yaml_document_get_root_node is not node 1";
}

/* The output of an emitter whose stream ended without an error, or NULL. The stream
   ends with STREAM-END, from yaml_emitter_close, a dump of an empty document or an
   emitted event: the emitter's state is then its end state. */
static const unsigned char *finished_output(emitter_obj *e, size_t *len)
{
    if (e->emitter.state != YAML_EMIT_END_STATE || e->emitter.error != YAML_NO_ERROR)
        return NULL;
    if (e->file && fflush(e->file) != 0)
        return NULL;
    *len = e->len;
    return e->out ? e->out : (const unsigned char *)"";
}

/* What the emitter wrote must parse: the emitter checks every event it accepts, so a
   stream it finished without an error is YAML. Returns libyaml's own problem text, a
   string constant, with a fixed prefix so that the signature stays stable. */
static const char *check_output(emitter_obj *e)
{
    static char message[160];
    size_t len = 0;
    const unsigned char *out = finished_output(e, &len);
    if (!out)
        return NULL;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return NULL;
    yaml_parser_set_input_string(&parser, out, len);
    yaml_event_t ev;
    int ok, end = 0;
    do {
        ok = yaml_parser_parse(&parser, &ev);
        if (ok) {
            end = ev.type == YAML_STREAM_END_EVENT || ev.type == YAML_NO_EVENT;
            yaml_event_delete(&ev);
        }
    } while (ok && !end);
    if (!ok)
        snprintf(message, sizeof message, "the emitter's finished output does not parse: %s",
                 parser.problem ? parser.problem : "(no problem given)");
    yaml_parser_delete(&parser);
    return ok ? NULL : message;
}

static const char *check(void *state)
{
    registry *r = state;
    if (!r)
        return NULL;
    for (obj *o = r->head; o; o = o->next) {
        const char *broken = NULL;
        if (o->kind == K_DOCUMENT && ((doc_obj *)o)->live)
            broken = check_document((doc_obj *)o);
        else if (o->kind == K_EMITTER)
            broken = check_output((emitter_obj *)o);
        if (broken)
            return broken;
    }
    return NULL;
}

static const ob_op ops[] = {
    {"parser.new",
     op_parser_new,
     3,
     {OB_BYTES(64 * 1024), OB_ENUM(sources), OB_ENUM(encodings)},
     1},
    {"parser.new_stream", op_parser_new_stream, 1, {OB_ENUM(encodings)}, 1},
    {"parser.feed", op_parser_feed, 2, {OB_HANDLE, OB_BYTES(64 * 1024)}, 0},
    {"parser.scan", op_parser_scan, 1, {OB_HANDLE}, 0},
    {"parser.parse", op_parser_parse, 1, {OB_HANDLE}, 0},
    {"parser.load", op_parser_load, 1, {OB_HANDLE}, 1},
    {"doc.new", op_doc_new, 2, {OB_ENUM(directive_sets), OB_ENUM(implicits)}, 1},
    {"doc.add_scalar",
     op_doc_add_scalar,
     4,
     {OB_HANDLE, OB_BYTES(64), OB_ENUM(node_tags), OB_ENUM(scalar_styles)},
     0},
    {"doc.add_sequence",
     op_doc_add_sequence,
     3,
     {OB_HANDLE, OB_ENUM(node_tags), OB_ENUM(styles)},
     0},
    {"doc.add_mapping", op_doc_add_mapping, 3, {OB_HANDLE, OB_ENUM(node_tags), OB_ENUM(styles)}, 0},
    {"doc.append_item", op_doc_append_item, 3, {OB_HANDLE, OB_INT(1, 255), OB_INT(1, 255)}, 0},
    {"doc.append_pair",
     op_doc_append_pair,
     4,
     {OB_HANDLE, OB_INT(1, 255), OB_INT(1, 255), OB_INT(1, 255)},
     0},
    {"doc.get_node", op_doc_get_node, 2, {OB_HANDLE, OB_INT(-1, 255)}, 0},
    {"doc.root", op_doc_root, 1, {OB_HANDLE}, 0},
    {"emitter.new", op_emitter_new, 3, {OB_ENUM(sinks), OB_ENUM(encodings), OB_ENUM(breaks)}, 1},
    {"emitter.set_canonical", op_set_canonical, 2, {OB_HANDLE, OB_INT(0, 1)}, 0},
    {"emitter.set_indent", op_set_indent, 2, {OB_HANDLE, OB_INT(-1, 11)}, 0},
    {"emitter.set_width", op_set_width, 2, {OB_HANDLE, OB_INT(-2, 200)}, 0},
    {"emitter.set_unicode", op_set_unicode, 2, {OB_HANDLE, OB_INT(0, 1)}, 0},
    {"emitter.open", op_emitter_open, 1, {OB_HANDLE}, 0},
    {"emitter.close", op_emitter_close, 1, {OB_HANDLE}, 0},
    {"emitter.flush", op_emitter_flush, 1, {OB_HANDLE}, 0},
    {"emitter.dump", op_emitter_dump, 2, {OB_HANDLE, OB_HANDLE}, 0},
    {"emitter.emit_parsed", op_emit_parsed, 2, {OB_HANDLE, OB_HANDLE}, 0},
    {"emit.stream_start", op_emit_stream_start, 2, {OB_HANDLE, OB_ENUM(encodings)}, 0},
    {"emit.stream_end", op_emit_stream_end, 1, {OB_HANDLE}, 0},
    {"emit.document_start",
     op_emit_document_start,
     3,
     {OB_HANDLE, OB_ENUM(directive_sets), OB_INT(0, 1)},
     0},
    {"emit.document_end", op_emit_document_end, 2, {OB_HANDLE, OB_INT(0, 1)}, 0},
    {"emit.alias", op_emit_alias, 2, {OB_HANDLE, OB_ENUM(alias_names)}, 0},
    {"emit.scalar",
     op_emit_scalar,
     4,
     {OB_HANDLE, OB_BYTES(64), OB_ENUM(event_tags), OB_ENUM(scalar_styles)},
     0},
    {"emit.scalar_anchored",
     op_emit_scalar_anchored,
     4,
     {OB_HANDLE, OB_BYTES(64), OB_ENUM(anchors), OB_ENUM(scalar_styles)},
     0},
    {"emit.sequence_start",
     op_emit_sequence_start,
     4,
     {OB_HANDLE, OB_ENUM(anchors), OB_ENUM(event_tags), OB_ENUM(styles)},
     0},
    {"emit.sequence_end", op_emit_sequence_end, 1, {OB_HANDLE}, 0},
    {"emit.mapping_start",
     op_emit_mapping_start,
     4,
     {OB_HANDLE, OB_ENUM(anchors), OB_ENUM(event_tags), OB_ENUM(styles)},
     0},
    {"emit.mapping_end", op_emit_mapping_end, 1, {OB_HANDLE}, 0},
    {"yaml.version", op_version, 0, {{0}}, 0},
};

const ob_target ob_harness_target = OB_TARGET("libyaml", ops, .setup = setup, .teardown = teardown,
                                              .release = release, .check = check);
