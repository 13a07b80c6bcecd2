/*
** tree.c: the fixture tree (tree.h).
*/
#include "tests/kit/ownership/tree.h"

#include <stdatomic.h>
#include <stdlib.h>

struct tree_node {
    int value;
    tree_node *parent;
    tree_node *kids[TREE_MAX_CHILDREN];
    int nkids;
};

static atomic_llong live;

tree_node *tree_new(int value)
{
    tree_node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->value = value;
    atomic_fetch_add(&live, 1);
    return n;
}

static void unlink_child(tree_node *parent, tree_node *child)
{
    for (int i = 0; i < parent->nkids; i++) {
        if (parent->kids[i] != child)
            continue;
        parent->kids[i] = parent->kids[--parent->nkids];
        break;
    }
    child->parent = NULL;
}

int tree_add(tree_node *parent, tree_node *child)
{
    if (parent->nkids == TREE_MAX_CHILDREN)
        return -1;
    for (const tree_node *a = parent; a; a = a->parent)
        if (a == child)
            return -1;
#ifndef TREE_BUG_ADOPT_TWICE
    if (child->parent)
        unlink_child(child->parent, child);
#endif
    parent->kids[parent->nkids++] = child;
    child->parent = parent;
    return 0;
}

tree_node *tree_child(tree_node *parent, int i)
{
    return i < parent->nkids ? parent->kids[i] : NULL;
}

tree_node *tree_detach(tree_node *parent, int i)
{
    tree_node *child = tree_child(parent, i);
    if (child)
        unlink_child(parent, child);
    return child;
}

static void free_subtree(tree_node *n)
{
    for (int i = 0; i < n->nkids; i++)
        free_subtree(n->kids[i]);
    atomic_fetch_sub(&live, 1);
    free(n);
}

void tree_delete(tree_node *n)
{
    if (n->parent)
        unlink_child(n->parent, n);
    free_subtree(n);
}

long tree_sum(const tree_node *n)
{
    long sum = n->value;
    for (int i = 0; i < n->nkids; i++)
        sum += tree_sum(n->kids[i]);
    return sum;
}

int64_t tree_live(void)
{
    return atomic_load(&live);
}
