#!/usr/bin/env python3
"""Issue 18's function-length rule, checked: no function over 60 lines in core/, model/ or
proofs/, none over 100 in tools/. A function's length is the lines from its opening brace to its
closing one; a lambda or local class counts toward the function that holds it.

Usage: function_lengths.py ROOT [--self-test]
Exit: 0 every function within its limit, 1 one or more over it (each named with file:line),
2 usage. The parse is a brace matcher over the text with comments and literals blanked: a body
is a '{' at namespace or class scope whose header has a parameter list and is not a class,
struct, union, enum, namespace, initializer or control statement.
"""
import os
import re
import sys

LIMITS = [("core", 60), ("model", 60), ("proofs", 60), ("tools", 100)]
EXTENSIONS = (".cpp", ".hpp", ".h", ".cc")
NOT_A_FUNCTION = re.compile(r"\b(class|struct|union|enum|namespace|extern\s+\"C\")\b|=\s*$|^\s*(if|for|while|switch|catch|do|else)\b")


def blank(text):
    """Comments and string/char literals replaced by spaces, newlines kept (so lines still count)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif c in "\"'":
            if c == "'" and i > 0 and text[i - 1].isalnum():  # a digit separator: 1'000
                out.append(" "); i += 1; continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(" " * (min(j + 1, n) - i)); i = j + 1
        else:
            out.append(c); i += 1
    return "".join(out)


def functions(text):
    """Yields (first line, line count, header) of each function body at namespace or class scope."""
    code = blank(text)
    stack = []  # per open brace: "fn", "scope" (namespace/class/extern) or "inner"
    header_start = 0
    fn_open = None  # (offset of the '{', header) while inside a function body
    for i, c in enumerate(code):
        if c == "{":
            outer = not stack or stack[-1] == "scope"
            if outer:
                header = " ".join(code[header_start:i].split())
                if "(" in header and ")" in header and not NOT_A_FUNCTION.search(header):
                    stack.append("fn"); fn_open = (i, header)
                elif re.search(r"\b(namespace|class|struct|union|extern)\b", header) and not re.search(r"=\s*$|\benum\b", header):
                    stack.append("scope")
                else:
                    stack.append("inner")
            else:
                stack.append("inner")
            header_start = i + 1
        elif c == "}":
            kind = stack.pop() if stack else "scope"
            if kind == "fn" and fn_open:
                start = code.count("\n", 0, fn_open[0]) + 1
                end = code.count("\n", 0, i) + 1
                yield start, end - start + 1, fn_open[1]
                fn_open = None
            header_start = i + 1
        elif c == ";" and (not stack or stack[-1] == "scope"):
            header_start = i + 1
        elif c == ":" and (not stack or stack[-1] == "scope") and re.search(r"\b(public|private|protected)\s*$", code[header_start:i]):
            header_start = i + 1


def over_limit(root):
    found = []
    for top, limit in LIMITS:
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if not f.endswith(EXTENSIONS):
                    continue
                path = os.path.join(d, f)
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
                for line, count, header in functions(text):
                    if count > limit:
                        name = re.sub(r"\s*\(.*", "", header).split()[-1] if header else "?"
                        found.append(f"{os.path.relpath(path, root)}:{line}: {name} is {count} lines (limit {limit})")
    return found


def self_test():
    """The parser on known shapes: each must be found at its length, or not at all."""
    sample = '''namespace a {
struct S {
  int f(int x) const {
    auto g = [&](int y) { return y; };
    if (x) { return g(x); }
    return 0;
  }
  int v[3] = {1, 2, 3};
};
int h() {
  const char* s = "}{";  // }
  /* { */ return '}';
}
enum class E { A, B };
}  // namespace a
'''
    got = [(line, count) for line, count, _ in functions(sample)]
    want = [(3, 5), (10, 4)]
    if got != want:
        print(f"function_lengths self-test: found {got}, expected {want}", file=sys.stderr)
        return 1
    return 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    if self_test():
        return 1
    if "--self-test" in argv:
        return 0
    found = over_limit(argv[1])
    for f in found:
        print(f)
    if found:
        print(f"function_lengths: {len(found)} function(s) over the limit (issue 18)", file=sys.stderr)
        return 1
    print("function_lengths: every function within its limit")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
