/**
 * The grammar of Ansible-style conditions (when, changed_when, failed_when, until),
 * a Jinja2 expression subset. Peggy builds the parser from it once per process.
 */
export const CONDITION_GRAMMAR = String.raw`
{
  // Python's string escapes: \n, \t, quotes and backslash; any other backslash stays (regexps like '\d+').
  function unescape(s) {
    return s.replace(/\\([\\'"nt])/g, (m, c) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
  }
  function bin(head, tail) {
    return tail.reduce((l, [, op, , r]) => ({ t: 'bin', op, l, r }), head);
  }
}

Start = _ e:Cond _ { return e; }

Cond = v:Or c:(__ "if" __ Or (__ "else" __ Cond)?)? {
  if (!c) return v;
  return { t: 'if', then: v, cond: c[3], else: c[4] ? c[4][3] : null };
}

Or = head:And tail:(__ "or" __ And)* { return bin(head, tail); }
And = head:Not tail:(__ "and" __ Not)* { return bin(head, tail); }
Not = "not" __ e:Not { return { t: 'not', e }; } / Compare

Compare = head:Concat tail:(_ CmpOp _ Concat / __ TestOp __ Test)* {
  return tail.reduce((l, [, op, , r]) => op === 'is' || op === 'is not' ? { t: 'test', neg: op === 'is not', e: l, test: r } : { t: 'bin', op, l, r }, head);
}
CmpOp = "==" / "!=" / "<=" / ">=" / "<" / ">" / "not" __ "in" { return 'not in'; } / "in" !IdChar { return 'in'; }
TestOp = "is" __ "not" !IdChar { return 'is not'; } / "is" !IdChar { return 'is'; }
Test = name:Ident args:Args? { return { name, args: args || [] }; }

Concat = head:Add tail:(_ "~" _ Add)* { return bin(head, tail); }
Add = head:Mul tail:(_ ("+" / "-") _ Mul)* { return bin(head, tail); }
Mul = head:Unary tail:(_ ("//" / "*" / "/" / "%") _ Unary)* { return bin(head, tail); }
Unary = "-" _ e:Unary { return { t: 'neg', e }; } / Filtered

Filtered = head:Postfix tail:(_ "|" _ Ident Args?)* {
  return tail.reduce((e, [, , , name, args]) => ({ t: 'filter', name, e, args: args || [] }), head);
}

Postfix = head:Primary tail:(_ "." _ Ident / _ "[" _ Cond _ "]" / _ Args)* {
  return tail.reduce((e, part) => {
    if (part[1] === '.') return { t: 'attr', e, key: { t: 'lit', v: part[3] } };
    if (part[1] === '[') return { t: 'attr', e, key: part[3] };
    return { t: 'call', e, args: part[1] };
  }, head);
}

Args = "(" _ list:(Arg (_ "," _ Arg)*)? _ ","? _ ")" { return list ? [list[0], ...list[1].map((x) => x[3])] : []; }
Arg = name:Ident _ "=" !"=" _ v:Cond { return { t: 'kwarg', name, v }; } / Cond

Primary = Number / String / List / Dict / "(" _ e:Cond _ ")" { return e; } / Word

Word = id:Ident {
  if (id === 'true' || id === 'True') return { t: 'lit', v: true };
  if (id === 'false' || id === 'False') return { t: 'lit', v: false };
  if (id === 'none' || id === 'None' || id === 'null') return { t: 'lit', v: null };
  return { t: 'var', name: id };
}

Number = n:$("-"? [0-9]+ ("." [0-9]+)?) !IdChar { return { t: 'lit', v: Number(n) }; }
String = "'" s:$([^'\\] / "\\" .)* "'" { return { t: 'lit', v: unescape(s) }; }
       / '"' s:$([^"\\] / "\\" .)* '"' { return { t: 'lit', v: unescape(s) }; }
List = "[" _ items:(Cond (_ "," _ Cond)*)? _ ","? _ "]" { return { t: 'list', items: items ? [items[0], ...items[1].map((x) => x[3])] : [] }; }
Dict = "{" _ items:(Pair (_ "," _ Pair)*)? _ ","? _ "}" { return { t: 'dict', items: items ? [items[0], ...items[1].map((x) => x[3])] : [] }; }
Pair = k:Cond _ ":" _ v:Cond { return [k, v]; }

Ident = !Keyword id:$([a-zA-Z_] IdChar*) { return id; }
Keyword = ("and" / "or" / "not" / "in" / "is" / "if" / "else") !IdChar
IdChar = [a-zA-Z0-9_]
__ = [ \t\r\n]+
_ = [ \t\r\n]*
`;
