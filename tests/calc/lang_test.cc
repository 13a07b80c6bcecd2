// Behaviour of the language: lexing, parsing, evaluation, printing and error positions.
#include "tests/calc/calc_fixture.h"

#include <climits>
#include <random>

using calctest::Canon;
using calctest::Exec;
using calctest::Outcome;

namespace
{

class Lang : public calctest::CalcTest
{
};

struct Case {
    const char *src;
    calc_status status;
    int64_t value;
};

const Case kCases[] = {
    {"1 + 2 * 3", CALC_OK, 7},
    {"(1 + 2) * 3", CALC_OK, 9},
    {"10 - 3 - 2", CALC_OK, 5},
    {"100 / 10 / 5", CALC_OK, 2},
    {"-7 / 2", CALC_OK, -3},
    {"-7 % 2", CALC_OK, -1},
    {"7 % -2", CALC_OK, 1},
    {"- -3", CALC_OK, 3},
    {"-(3)", CALC_OK, -3},
    {"2 < 3", CALC_OK, 1},
    {"3 <= 2", CALC_OK, 0},
    {"3 > 2 == 1", CALC_OK, 1},
    {"4 >= 4", CALC_OK, 1},
    {"1 != 1", CALC_OK, 0},
    {"let x = 5 in x * x", CALC_OK, 25},
    {"let x = 1 in let x = x + 1 in x", CALC_OK, 2},
    {"if 0 then 1 else 2", CALC_OK, 2},
    {"if -4 then 1 else 2", CALC_OK, 1},
    {"1 + (if 1 then 2 else 3)", CALC_OK, 3},
    {"# comment\n 42 # more\n", CALC_OK, 42},
    {"fact(n) = if n <= 1 then 1 else n * fact(n - 1); fact(10)", CALC_OK, 3628800},
    {"fact(n) = if n <= 1 then 1 else n * fact(n - 1); fact(20)", CALC_OK, 2432902008176640000},
    {"fact(n) = if n <= 1 then 1 else n * fact(n - 1); fact(21)", CALC_EOVERFLOW, 0},
    {"f() = 3; g(a, b) = a - b; g(f(), 1)", CALC_OK, 2},
    {"f(n) = n * 2; sum(n, acc) = if n == 0 then acc else sum(n - 1, acc + f(n)); sum(50, 0)",
     CALC_OK, 2550},
    {"f(a, b) = a * 10 + b; g(n) = f(n - 1, n); g(5)", CALC_OK, 45},
    {"even(n) = if n == 0 then 1 else odd(n - 1); odd(n) = if n == 0 then 0 else even(n - 1);"
     " even(1000)",
     CALC_OK, 1},
    {"f(x) = x; f(1); 2", CALC_ESYNTAX, 0},
    {"f(x) = y; f(1)", CALC_EUNDEF, 0},
    {"f(x) = x; let y = 3 in f(1) + y", CALC_OK, 4},
    {"g(x) = y; let y = 3 in g(1)", CALC_EUNDEF, 0},
    {"f(x) = x; f(1, 2)", CALC_EARITY, 0},
    {"nope(1)", CALC_EUNDEF, 0},
    {"f(x) = x; f(x) = x + 1; f(1)", CALC_OK, 2},
    {"f(x, x) = x; 1", CALC_ESYNTAX, 0},
    {"f(a b) = a; 1", CALC_ESYNTAX, 0},
    {"f(a,) = a; 1", CALC_ESYNTAX, 0},
    {"f(,a) = a; 1", CALC_ESYNTAX, 0},
    {"f(1, 2,)", CALC_ESYNTAX, 0},
    {"1 / 0", CALC_EDIVZERO, 0},
    {"1 % 0", CALC_EDIVZERO, 0},
    {"-9223372036854775808", CALC_OK, INT64_MIN},
    {"-9223372036854775808 / -1", CALC_EOVERFLOW, 0},
    {"-9223372036854775808 % -1", CALC_OK, 0},
    {"-(-9223372036854775808)", CALC_EOVERFLOW, 0},
    {"9223372036854775807 + 1", CALC_EOVERFLOW, 0},
    {"-9223372036854775807 - 2", CALC_EOVERFLOW, 0},
    {"9223372036854775807", CALC_OK, INT64_MAX},
    {"9223372036854775808", CALC_ESYNTAX, 0},
    {"99999999999999999999999", CALC_ESYNTAX, 0},
    {"", CALC_ESYNTAX, 0},
    {"1 +", CALC_ESYNTAX, 0},
    {"(1", CALC_ESYNTAX, 0},
    {"1 ! 2", CALC_ESYNTAX, 0},
    {"let in = 1 in 2", CALC_ESYNTAX, 0},
    {"if 1 then 2", CALC_ESYNTAX, 0},
    {"1 2", CALC_ESYNTAX, 0},
    {"x", CALC_EUNDEF, 0},
    {"f(n) = n; f(n) = ", CALC_ESYNTAX, 0},
};

TEST_F(Lang, Cases)
{
    for (const Case &c : kCases) {
        Outcome o = Exec(c.src);
        EXPECT_EQ(o.status, c.status) << c.src << " -> " << o.err.msg;
        EXPECT_EQ(o.err.status, o.status) << c.src;
        if (c.status == CALC_OK)
            EXPECT_EQ(o.value, c.value) << c.src;
        else
            EXPECT_NE(o.err.msg[0], '\0') << c.src;
    }
}

TEST_F(Lang, ParseErrorsCarryLineAndColumn)
{
    struct {
        const char *src;
        calc_status status;
        uint32_t line, col;
        const char *text;
    } cases[] = {
        {"1 +\n  (2 * )", CALC_ESYNTAX, 2, 8, "expected an expression, found ')'"},
        {"let x 1", CALC_ESYNTAX, 1, 7, "expected '='"},
        {"  @", CALC_ESYNTAX, 1, 3, "unexpected character '@'"},
        {"f(1,\n\n 2", CALC_ESYNTAX, 3, 3, "expected ')'"},
        {"12345678901234567890", CALC_ESYNTAX, 1, 1, "too large"},
        {"1\x01", CALC_ESYNTAX, 1, 2, "0x01"},
    };
    for (const auto &c : cases) {
        calc_error err;
        calc_ast *e = nullptr;
        EXPECT_EQ(calc_parse_expr(c.src, strlen(c.src), &e, &err), c.status) << c.src;
        EXPECT_EQ(e, nullptr);
        EXPECT_EQ(err.line, c.line) << c.src << ": " << err.msg;
        EXPECT_EQ(err.col, c.col) << c.src << ": " << err.msg;
        EXPECT_NE(strstr(err.msg, c.text), nullptr) << c.src << ": " << err.msg;
    }
}

TEST_F(Lang, EvalErrorsPointAtTheFailingNode)
{
    Outcome o = Exec("1 + 10 / (5 - 5)");
    EXPECT_EQ(o.status, CALC_EDIVZERO);
    EXPECT_EQ(o.err.line, 1u);
    EXPECT_EQ(o.err.col, 8u);
    o = Exec("f(x) = x;\ng(y) = f(y, y);\ng(1)");
    EXPECT_EQ(o.status, CALC_EARITY);
    EXPECT_EQ(o.err.line, 2u);
    EXPECT_EQ(o.err.col, 8u);
    EXPECT_NE(strstr(o.err.msg, "'f' takes 1 arguments, given 2"), nullptr) << o.err.msg;
}

TEST_F(Lang, StatusNamesAndTexts)
{
    EXPECT_STREQ(calc_status_name(CALC_EDEPTH), "CALC_EDEPTH");
    EXPECT_STREQ(calc_status_text(CALC_EDIVZERO), "division by zero");
    EXPECT_STREQ(calc_status_name(static_cast<calc_status>(-1)), "CALC_?");
    EXPECT_STREQ(calc_status_text(CALC_STATUS_COUNT), "unknown status");
}

TEST_F(Lang, SourceNeedNotBeNulTerminated)
{
    const char src[] = {'4', '0', '+', '2', '9'};
    calc_ast *e = nullptr;
    ASSERT_EQ(calc_parse_expr(src, 4, &e, nullptr), CALC_OK);
    int64_t v = 0;
    EXPECT_EQ(calc_eval(nullptr, e, nullptr, &v, nullptr, nullptr), CALC_OK);
    EXPECT_EQ(v, 42);
    calc_ast_release(e);
}

TEST_F(Lang, PrinterUsesMinimalParentheses)
{
    EXPECT_EQ(Canon("((1 + 2)) * 3"), "(1 + 2) * 3");
    EXPECT_EQ(Canon("1 + (2 * 3)"), "1 + 2 * 3");
    EXPECT_EQ(Canon("(1 - 2) - 3"), "1 - 2 - 3");
    EXPECT_EQ(Canon("1 - (2 - 3)"), "1 - (2 - 3)");
    EXPECT_EQ(Canon("(a < b) < c"), "a < b < c");
    EXPECT_EQ(Canon("-(5)"), "-(5)");
    EXPECT_EQ(Canon("-5"), "-5");
    EXPECT_EQ(Canon("- -5"), "-(-5)");
    EXPECT_EQ(Canon("-(-x)"), "--x");
    EXPECT_EQ(Canon("-(a + b)"), "-(a + b)");
    EXPECT_EQ(Canon("3 - -5"), "3 - -5");
    EXPECT_EQ(Canon("(let x = 1 in x) + 1"), "(let x = 1 in x) + 1");
    EXPECT_EQ(Canon("1 + (let x = 1 in x)"), "1 + (let x = 1 in x)");
    EXPECT_EQ(Canon("let x = (let y = 1 in y) in (if x then x else (0))"),
              "let x = let y = 1 in y in if x then x else 0");
    EXPECT_EQ(Canon("f((1), (g()), (h(x)))"), "f(1, g(), h(x))");
    EXPECT_EQ(Canon("if if a then b else c then d else e"), "if if a then b else c then d else e");
}

TEST_F(Lang, ProgramsExposeTheirDefinitions)
{
    const char *src = "sq(x) = x * x; add(a, b) = a + b; add(sq(3), 4)";
    calc_program *p = nullptr;
    ASSERT_EQ(calc_parse_program(src, strlen(src), &p, nullptr), CALC_OK);
    ASSERT_EQ(calc_program_nfns(p), 2u);
    EXPECT_STREQ(calc_fn_name(calc_program_fn(p, 1)), "add");
    EXPECT_EQ(calc_fn_nparams(calc_program_fn(p, 1)), 2u);
    EXPECT_STREQ(calc_fn_param(calc_program_fn(p, 1), 1), "b");
    EXPECT_EQ(calc_program_fn(p, 2), nullptr);
    char *text = nullptr;
    ASSERT_EQ(calc_print_fn(calc_program_fn(p, 0), 0, &text, nullptr), CALC_OK);
    EXPECT_STREQ(text, "sq(x) = x * x");
    calc_string_free(text);
    EXPECT_EQ(calc_ast_kind(calc_program_expr(p)), CALC_CALL);
    calc_program_free(p);
}

TEST_F(Lang, EnvironmentDefineLookupRemove)
{
    calc_env *env = nullptr;
    ASSERT_EQ(calc_env_new(&env), CALC_OK);
    calc_ast *body = calctest::Parse("a * 10 + b");
    const char *params[] = {"a", "b"};
    EXPECT_EQ(calc_env_define(env, "f", 2, params, body), CALC_OK);
    EXPECT_EQ(calc_env_define(env, "if", 2, params, body), CALC_EINVAL);
    const char *dup[] = {"a", "a"};
    EXPECT_EQ(calc_env_define(env, "g", 2, dup, body), CALC_EINVAL);
    const char *bad[] = {"a", "1b"};
    EXPECT_EQ(calc_env_define(env, "g", 2, bad, body), CALC_EINVAL);
    calc_ast_release(body);
    EXPECT_EQ(calc_env_count(env), 1u);
    calc_fn *fn = nullptr;
    ASSERT_EQ(calc_env_lookup(env, "f", &fn), CALC_OK);
    EXPECT_EQ(calc_env_remove(env, "f"), CALC_OK);
    EXPECT_EQ(calc_env_remove(env, "f"), CALC_EUNDEF);
    // The reference from lookup outlives the removal.
    EXPECT_EQ(calctest::Print(calc_fn_body(fn)), "a * 10 + b");
    calc_fn_release(fn);
    calc_fn *gone = nullptr;
    EXPECT_EQ(calc_env_lookup(env, "f", &gone), CALC_EUNDEF);
    EXPECT_EQ(gone, nullptr);
    EXPECT_EQ(calc_env_count(env), 0u);
    EXPECT_EQ(calc_check(env), nullptr);
    calc_env_free(env);
}

} // namespace
