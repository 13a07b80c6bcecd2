/*
** tree.h: a fixture tree API whose ownership moves, shaped like cJSON's: adding a child
** hands it to the parent, deleting a node frees its whole subtree, and looking a child up
** lends it. No reference counts: every node has one owner (its parent, or the caller).
** Built with TREE_BUG_ADOPT_TWICE, adding a child that already has a parent forgets to
** take it out of the old parent first: the seeded ownership bug (two owners, two frees).
*/
#ifndef TESTS_KIT_OWNERSHIP_TREE_H
#define TESTS_KIT_OWNERSHIP_TREE_H

#include <stdint.h>

enum { TREE_MAX_CHILDREN = 4 };

typedef struct tree_node tree_node;

/* A new root; the caller owns it. NULL when out of memory. */
tree_node *tree_new(int value);
/* Moves child under parent, out of its old parent if it had one. Returns 0, or -1 (and
   nothing moves) when parent is full or child is parent or one of its ancestors. */
int tree_add(tree_node *parent, tree_node *child);
/* The i-th child, borrowed from parent; NULL when there is none. */
tree_node *tree_child(tree_node *parent, int i);
/* Takes the i-th child out of parent; the caller owns it. NULL when there is none. */
tree_node *tree_detach(tree_node *parent, int i);
/* Frees n and its subtree, taking n out of its parent first. */
void tree_delete(tree_node *n);
/* The sum of the subtree's values. */
long tree_sum(const tree_node *n);
/* Nodes alive in the process. */
int64_t tree_live(void);

#endif
