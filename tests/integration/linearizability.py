"""A linearizability checker for S3 objects, one register per key (issue 15, point 7).

The model. Each key is a register holding a value or nothing (absent), initially absent:

- PUT(v) sets it to v; DELETE sets it to absent; both always succeed.
- GET returns the value, or absent (404 NoSuchKey is a successful read of absence).
- LIST(prefix) returns a set of keys. It is checked as a read of each key's presence: for every key
  the test knows under the prefix, "present" if the key was listed, "absent" if not, each within
  the LIST's own interval. So a LIST must agree with every key's history; that the keys of one
  LIST were all read at the same instant (a snapshot across keys) is not checked, and S3 does not
  promise it.

A history is a list of `Operation`s with their invocation and completion times (one clock:
time.monotonic). An operation that failed or timed out is ambiguous: it may have taken effect, at
any time after its invocation (even after the client gave up), or not at all. A failed write is
kept with no completion time (it may be linearized anywhere after its invocation, and linearized
last it changes nothing anyone saw); a failed read tells nothing and is dropped.

The check is Wing and Gong's search for a linearization, with Lowe's memoisation of (operations
linearized, register value) pairs already explored, run on each key's sub-history separately:
linearizability is compositional (Herlihy and Wing), so a history is linearizable if and only if
every key's is, and each search stays small. A violation is reported as the shortest prefix in time
of the key's history that is not linearizable; of it, only the operations after the last instant
with nothing in flight from which they cannot be linearized whatever value the earlier operations
may have left (those are summed up as that set of values); and of those, every read removed that is
not needed to show it. Each step keeps a violation of the whole history: removing reads, or the
operations after a point in time, never makes a linearizable history non-linearizable, and at an
instant with nothing in flight every earlier operation precedes every later one in any
linearization.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Iterable

PUT, GET, DELETE, LIST, PRESENT = "PUT", "GET", "DELETE", "LIST", "PRESENT"
ABSENT = None


@dataclass(frozen=True)
class Operation:
    """One call as a client saw it. `value`: what PUT wrote, what GET read (None: absent), or for a
    PRESENT read (derived from a LIST) True or False. `listed`: the keys a LIST returned.
    `completed` None: the call failed or timed out (ambiguous)."""

    client: int
    kind: str
    key: str | None
    invoked: float
    completed: float | None
    value: object = None
    prefix: str = ""
    listed: frozenset[str] | None = None
    gateway: str = ""

    @property
    def ambiguous(self) -> bool:
        return self.completed is None

    @property
    def is_write(self) -> bool:
        return self.kind in (PUT, DELETE)

    def describe(self) -> str:
        if self.kind == PUT:
            what = f"PUT {self.key} = {self.value!r}"
        elif self.kind == DELETE:
            what = f"DELETE {self.key}"
        elif self.kind == GET:
            what = f"GET {self.key} -> {'absent' if self.value is ABSENT else repr(self.value)}"
        elif self.kind == PRESENT:
            what = f"LIST {self.prefix!r} -> {self.key} {'listed' if self.value else 'not listed'}"
        else:
            what = f"LIST {self.prefix!r} -> {sorted(self.listed or ())}"
        if self.ambiguous:
            what += "  (failed: may or may not have taken effect)"
        return f"client {self.client}{' via ' + self.gateway if self.gateway else ''}: {what}"


def per_key(history: Iterable[Operation], keys: Iterable[str]) -> dict[str, list[Operation]]:
    """Each key's sub-history: its PUTs, DELETEs and GETs, and a PRESENT read for every LIST whose
    prefix covers it. Failed reads are dropped (they tell nothing)."""
    keys = sorted(set(keys))
    out: dict[str, list[Operation]] = {key: [] for key in keys}
    for op in history:
        if op.kind == LIST:
            if op.ambiguous:
                continue
            for key in keys:
                if key.startswith(op.prefix):
                    out[key].append(replace(op, kind=PRESENT, key=key, value=key in (op.listed or ()), listed=None))
        elif op.kind in (GET, PRESENT) and op.ambiguous:
            continue
        elif op.key in out:
            out[op.key].append(op)
        else:
            raise ValueError(f"operation on a key the checker was not told about: {op.describe()}")
    return out


def _step(state: object, op: Operation) -> tuple[bool, object]:
    if op.kind == PUT:
        return True, op.value
    if op.kind == DELETE:
        return True, ABSENT
    if op.kind == GET:
        return state == op.value, state
    if op.kind == PRESENT:
        return (state is not ABSENT) == op.value, state
    raise ValueError(f"not a single-key operation: {op.kind}")


def is_linearizable(ops: list[Operation], initial: object = ABSENT) -> bool:
    """Wing–Gong search with memoisation over one key's operations."""
    return bool(_search(ops, initial, every_end=False))


def final_values(ops: list[Operation], initial: object = ABSENT) -> set[object]:
    """Every value the register may hold once all of `ops` took effect, over every linearization
    (empty: none). A failed write counts as having taken effect: call it on complete operations
    only (shortest_violation does: an instant with nothing in flight comes after no failed write)."""
    return _search(ops, initial, every_end=True)


def _search(ops: list[Operation], initial: object, every_end: bool) -> set[object]:
    """The values the register holds at the end of the linearizations found: the first one only
    unless `every_end`."""
    if not ops:
        return {initial}
    # Events sorted by time; at equal times calls come first, which treats the two calls as
    # concurrent (the permissive reading of a tie).
    events = sorted(
        [(op.invoked, 0, i) for i, op in enumerate(ops)]
        + [(math.inf if op.completed is None else op.completed, 1, i) for i, op in enumerate(ops)])
    # A doubly linked list over the events, node 0 being the head; an operation is "lifted" out
    # (its call and its return) when it is linearized and put back when the search backtracks.
    count = len(events)
    nxt = list(range(1, count + 2))
    nxt[count] = None
    prv = [None] + list(range(0, count))
    is_call = [False] + [kind == 0 for _, kind, _ in events]
    op_of = [-1] + [i for _, _, i in events]
    return_node = {}
    for node in range(1, count + 1):
        if not is_call[node]:
            return_node[op_of[node]] = node

    def lift(node: int) -> None:
        for n in (node, return_node[op_of[node]]):
            nxt[prv[n]] = nxt[n]
            if nxt[n] is not None:
                prv[nxt[n]] = prv[n]

    def unlift(node: int) -> None:
        for n in (return_node[op_of[node]], node):
            nxt[prv[n]] = n
            if nxt[n] is not None:
                prv[nxt[n]] = n

    state, linearized = initial, 0
    seen: set[tuple[int, object]] = set()
    stack: list[tuple[int, object]] = []
    ends: set[object] = set()
    entry = nxt[0]
    while True:
        if nxt[0] is None:
            # Every operation linearized: one end value; go on looking for others if asked to.
            ends.add(state)
            if not every_end:
                return ends
        elif is_call[entry]:
            index = op_of[entry]
            ok, new_state = _step(state, ops[index])
            if ok:
                new_linearized = linearized | (1 << index)
                if (new_linearized, new_state) not in seen:
                    seen.add((new_linearized, new_state))
                    stack.append((entry, state))
                    state, linearized = new_state, new_linearized
                    lift(entry)
                    entry = nxt[0]
                    continue
            entry = nxt[entry]
            continue
        # Here every operation is linearized, or one returned before any order of the ones
        # before it could include it: undo the last choice.
        if not stack:
            return ends
        entry, state = stack.pop()
        linearized &= ~(1 << op_of[entry])
        unlift(entry)
        entry = nxt[entry]


def prefix(ops: list[Operation], until: float) -> list[Operation]:
    """The history as it stood at `until`: operations complete by then as they are, writes still
    in flight as ambiguous, reads still in flight and later calls left out."""
    out = []
    for op in ops:
        if op.invoked > until:
            continue
        if op.completed is not None and op.completed <= until:
            out.append(op)
        elif op.is_write:
            out.append(replace(op, completed=None))
    return out


@dataclass
class Violation:
    """A short sub-history that is not linearizable: `ops`, from a register that may hold any of
    `start_values`, what the `earlier` operations before them (all complete) may have left."""

    ops: list[Operation]
    start_values: set[object]
    earlier: int = 0

    def __len__(self) -> int:
        return len(self.ops)

    def describe(self, origin: float | None = None) -> str:
        text = describe(self.ops, origin)
        if self.earlier:
            values = sorted("absent" if v is ABSENT else repr(v) for v in self.start_values)
            text = (f"  (after {self.earlier} earlier operations, all complete before these began, the object "
                    f"held one of: {', '.join(values)})\n{text}")
        return text


def shortest_violation(ops: list[Operation]) -> Violation:
    """A short non-linearizable sub-history of `ops` (which must not be linearizable): the shortest
    prefix in time that is not; then only the operations after its last instant with nothing in
    flight from which the rest still cannot be linearized, whatever the earlier ones left in the
    register; then without every read that can go."""
    cuts = sorted({op.completed for op in ops if op.completed is not None})
    low, high = 0, len(cuts) - 1
    while low < high:  # being linearizable only stops once, as the prefix grows
        middle = (low + high) // 2
        if is_linearizable(prefix(ops, cuts[middle])):
            low = middle + 1
        else:
            high = middle
    shortest = prefix(ops, cuts[low]) if cuts else list(ops)
    if is_linearizable(shortest):  # cannot happen for a non-linearizable history; keep it all
        shortest = list(ops)
    shortest.sort(key=lambda op: op.invoked)

    def fails(later: list[Operation], starts: set[object]) -> bool:
        return not any(is_linearizable(later, start) for start in starts)

    # Instants with nothing in flight: every operation before is complete and none after has
    # begun, so real time puts every earlier operation before every later one.
    violation = Violation(shortest, {ABSENT})
    latest_end = -math.inf
    for index, op in enumerate(shortest[:-1]):
        latest_end = max(latest_end, math.inf if op.completed is None else op.completed)
        if latest_end < shortest[index + 1].invoked:
            earlier, later = shortest[:index + 1], shortest[index + 1:]
            starts = final_values(earlier)
            if len(later) < len(violation.ops) and fails(later, starts):
                violation = Violation(later, starts, earlier=len(earlier))
    for op in sorted((op for op in violation.ops if not op.is_write), key=lambda op: op.invoked, reverse=True):
        fewer = [other for other in violation.ops if other is not op]
        if fails(fewer, violation.start_values):
            violation.ops = fewer
    violation.ops.sort(key=lambda op: (op.invoked, op.client))
    return violation


def describe(ops: list[Operation], origin: float | None = None) -> str:
    """One line per operation, in invocation order, times in seconds from `origin`."""
    if not ops:
        return "(no operations)"
    origin = min(op.invoked for op in ops) if origin is None else origin
    lines = []
    for op in sorted(ops, key=lambda op: (op.invoked, op.client)):
        end = "   (none)" if op.completed is None else f"{op.completed - origin:9.4f}"
        lines.append(f"  [{op.invoked - origin:9.4f} .. {end}]  {op.describe()}")
    return "\n".join(lines)


@dataclass
class Verdict:
    """Per key: how many operations were checked, and the violations found (key -> shortest)."""

    checked: dict[str, int]
    violations: dict[str, Violation]

    @property
    def ok(self) -> bool:
        return not self.violations

    def report(self, origin: float | None = None) -> str:
        if self.ok:
            return "linearizable: " + ", ".join(f"{key} ({n} operations)" for key, n in self.checked.items())
        parts = []
        for key, violation in self.violations.items():
            parts.append(f"key {key!r} is not linearizable; the shortest history that shows it "
                         f"({len(violation)} of {self.checked[key]} operations):\n{violation.describe(origin)}")
        return "\n".join(parts)


def check(history: Iterable[Operation], keys: Iterable[str]) -> Verdict:
    """Checks every key's sub-history; a violation carries its shortest sub-history."""
    split = per_key(history, keys)
    violations = {key: shortest_violation(ops) for key, ops in split.items() if not is_linearizable(ops)}
    return Verdict({key: len(ops) for key, ops in split.items()}, violations)
