"""The event loop of the fast team engine (:mod:`simkit.sim.teamfast`), one replication per call.

It is :class:`simkit.sim.dynamics.TeamModel` without SimPy: the same events in
the same order (a heap ordered by time, then by the order events were
scheduled, as SimPy's event ids order them), with every random number drawn
beforehand by :mod:`simkit.sim.teamfast` from the same streams. A deal is a row
of arrays and a phase instead of a generator: only its waits (for a rep's
slot, for a consultant) and the ends of its timeouts are events.

Written in the subset of Python that numba compiles; without numba it runs
as plain Python (correct, but slower than SimPy), so :mod:`simkit.sim.teamfast`
declines when numba is missing.
"""

from __future__ import annotations

import math

import numpy as np

try:  # pragma: no cover - depends on the install
    from numba import njit

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    HAVE_NUMBA = False

    def njit(*args, **kwargs):
        if args and callable(args[0]):
            return args[0]
        return lambda f: f

# Event kinds (payload = kind + 4 * id)
EV_CAND, EV_TIMEOUT, EV_HIRE, EV_LEAVE = 0, 1, 2, 3
# Deal phases
PH_START, PH_WORK, PH_AFTER_HOLD, PH_END = 0, 1, 2, 3
PH_WAIT_SLOT, PH_WAIT_POOL, PH_T_STAGE, PH_T_HOLD, PH_T_REST, PH_DONE = 4, 5, 6, 7, 8, 9
WON, LOST, OPEN = 0, 1, 2


@njit(cache=True)
def _push(h_t, h_seq, h_pl, h_tok, n, t, seq, pl, tok):
    i = n
    h_t[i] = t
    h_seq[i] = seq
    h_pl[i] = pl
    h_tok[i] = tok
    while i > 0:
        p = (i - 1) >> 1
        if h_t[p] < h_t[i] or (h_t[p] == h_t[i] and h_seq[p] < h_seq[i]):
            break
        h_t[p], h_t[i] = h_t[i], h_t[p]
        h_seq[p], h_seq[i] = h_seq[i], h_seq[p]
        h_pl[p], h_pl[i] = h_pl[i], h_pl[p]
        h_tok[p], h_tok[i] = h_tok[i], h_tok[p]
        i = p
    return n + 1


@njit(cache=True)
def _pop(h_t, h_seq, h_pl, h_tok, n):
    n -= 1
    h_t[0] = h_t[n]
    h_seq[0] = h_seq[n]
    h_pl[0] = h_pl[n]
    h_tok[0] = h_tok[n]
    i = 0
    while True:
        a = 2 * i + 1
        if a >= n:
            break
        b = a + 1
        c = a
        if b < n and (h_t[b] < h_t[a] or (h_t[b] == h_t[a] and h_seq[b] < h_seq[a])):
            c = b
        if h_t[i] < h_t[c] or (h_t[i] == h_t[c] and h_seq[i] < h_seq[c]):
            break
        h_t[c], h_t[i] = h_t[i], h_t[c]
        h_seq[c], h_seq[i] = h_seq[i], h_seq[c]
        h_pl[c], h_pl[i] = h_pl[i], h_pl[c]
        h_tok[c], h_tok[i] = h_tok[i], h_tok[c]
        i = c
    return n


@njit(cache=True)
def _release_consultant(d, now, ps_share, pool_users, pool_head, pool_tail, pool_nxt, d_pool,
                        d_phase, d_got, d_dur, d_tok, h_t, h_seq, h_pl, h_tok, nh, seq):
    """Deal ``d`` gives its consultant back; the next deal waiting for that pool (FIFO,
    skipping deals no longer waiting) gets the consultant now. Returns (heap size, seq)."""
    p = d_pool[d]
    pool_users[p] -= 1
    d_pool[d] = -1
    q = pool_head[p]
    while q >= 0 and d_phase[q] != PH_WAIT_POOL:
        q = pool_nxt[q]
    if q >= 0:
        pool_head[p] = pool_nxt[q]
        if pool_head[p] < 0:
            pool_tail[p] = -1
        pool_users[p] += 1
        d_pool[q] = p
        d_got[q] = now
        d_phase[q] = PH_T_HOLD
        nh = _push(h_t, h_seq, h_pl, h_tok, nh, now + d_dur[q] * ps_share, seq,
                   EV_TIMEOUT + 4 * q, d_tok[q])
        seq += 1
    else:
        pool_head[p] = -1
        pool_tail[p] = -1
    return nh, seq


@njit(cache=True)
def run_replication(
    t_begin, t_stop, S,
    # reps (roster, creation order)
    r_full, r_conv, r_new, r_hired, r_act, r_leave, r_slots, r_initial, r_backfill,
    people, cand_off, cand_t, cand_thin, cand_src, cand_entry, cand_amount, cand_cu, cand_dur,
    cand_flag,
    # starting funnel (creation order)
    i_rep, i_src, i_stage, i_rem, i_amount, i_cu, i_dur,
    # pre-sales
    ps_stage, ps_share, pool_cap,
    # capacity: pl_kind 0 none, 1 max open deals, 2 hours (prospect_less)
    pl_kind, pl_max, pl_hpw, pl_hpd, pl_hpnp,
    # ramp
    has_ramp, ramp_curve, ramp_w,
    lost_share,
):
    NR = r_full.shape[0]
    n_init = i_rep.shape[0]
    ND = n_init + cand_t.shape[0]
    # deal state
    d_rep = np.empty(ND, np.int64)
    d_orig = np.empty(ND, np.int64)
    d_src = np.empty(ND, np.int64)
    d_init = np.zeros(ND, np.bool_)  # rows in i_* (the standard funnel or a snapshot)
    d_flag = np.zeros(ND, np.bool_)  # reported as initial: open at week 0 by construction
    d_entered = np.empty(ND)
    d_entry = np.empty(ND, np.int64)
    d_stage = np.empty(ND, np.int64)
    d_stage_in = np.empty(ND)
    d_amount = np.empty(ND)
    d_row = np.empty(ND, np.int64)  # row in cand_* (arrivals) or i_* (starting funnel)
    d_rem = np.full(ND, np.nan)  # remaining time in the first stage (starting funnel)
    d_dur = np.empty(ND)
    d_phase = np.full(ND, PH_DONE, np.int64)
    d_tok = np.zeros(ND, np.int64)
    d_slot = np.full(ND, -1, np.int64)  # rep whose slot the deal holds or waits for
    d_slot_held = np.zeros(ND, np.bool_)
    d_pool = np.full(ND, -1, np.int64)
    d_asked = np.empty(ND)
    d_got = np.empty(ND)
    d_alive = np.zeros(ND, np.bool_)
    d_drop = np.zeros(ND, np.bool_)
    d_out = np.full(ND, OPEN, np.int64)
    d_closed = np.full(ND, np.nan)
    st_in = np.full((ND, S), np.nan)
    st_out = np.full((ND, S), np.nan)
    w_id = np.empty(ND, np.int64)
    w_rep = np.empty(ND, np.int64)
    w_ask = np.empty(ND)
    w_got = np.empty(ND)
    w_rel = np.empty(ND)
    n_w = 0
    # rep state
    active = np.zeros(NR, np.bool_)
    n_open = np.zeros(NR, np.int64)
    left_at = np.full(NR, np.nan)
    cand_k = cand_off[:-1].copy()
    p_ptr = np.zeros(NR, np.int64)
    slot_users = np.zeros(NR, np.int64)
    slot_head = np.full(NR, -1, np.int64)
    slot_tail = np.full(NR, -1, np.int64)
    slot_nxt = np.full(ND, -1, np.int64)
    NP = pool_cap.shape[0]
    pool_users = np.zeros(max(NP, 1), np.int64)
    pool_head = np.full(max(NP, 1), -1, np.int64)
    pool_tail = np.full(max(NP, 1), -1, np.int64)
    pool_nxt = np.full(ND, -1, np.int64)
    # event heap
    H = ND + 4 * NR + 16
    h_t = np.empty(H)
    h_seq = np.empty(H, np.int64)
    h_pl = np.empty(H, np.int64)
    h_tok = np.empty(H, np.int64)
    nh = 0
    seq = 0
    ready = np.empty(ND, np.int64)  # ring buffer of deals to advance now
    r_head = 0
    r_n = 0
    drops = np.empty(ND, np.int64)
    people_short = False

    now = t_begin
    next_id = 0
    # The starting funnel: deals placed in creation order, their processes start now.
    for j in range(n_init):
        d = next_id
        next_id += 1
        rp = i_rep[j]
        d_rep[d] = rp
        d_orig[d] = rp
        d_src[d] = i_src[j]
        d_init[d] = True
        d_flag[d] = True
        d_entered[d] = now
        d_entry[d] = i_stage[j]
        d_stage[d] = i_stage[j]
        d_stage_in[d] = now
        st_in[d, i_stage[j]] = now
        d_amount[d] = i_amount[j]
        d_row[d] = j
        d_rem[d] = i_rem[j]
        d_phase[d] = PH_START
        d_alive[d] = True
        n_open[rp] += 1
        ready[(r_head + r_n) % ND] = d
        r_n += 1
    for rp in range(NR):
        if r_initial[rp]:
            active[rp] = True
    # Initial reps' candidate leads, then (in the engine's order) attrition and hires.
    for rp in range(NR):
        if r_initial[rp] and r_full[rp] > 0 and cand_off[rp + 1] > cand_off[rp]:
            nh = _push(h_t, h_seq, h_pl, h_tok, nh, cand_t[cand_off[rp]], seq, EV_CAND + 4 * rp, 0)
            seq += 1
    for rp in range(NR):
        if r_initial[rp] and r_leave[rp] < t_stop:
            nh = _push(h_t, h_seq, h_pl, h_tok, nh, r_leave[rp], seq, EV_LEAVE + 4 * rp, 0)
            seq += 1
    is_backfill = np.zeros(NR, np.bool_)
    for rp in range(NR):
        if r_backfill[rp] >= 0:
            is_backfill[r_backfill[rp]] = True
    for rp in range(NR):  # planned hires (a backfill is scheduled when its seat empties)
        if not r_initial[rp] and not is_backfill[rp] and r_act[rp] < t_stop:
            nh = _push(h_t, h_seq, h_pl, h_tok, nh, r_act[rp], seq, EV_HIRE + 4 * rp, 0)
            seq += 1

    while True:
        # advance every deal that can move at this instant
        while r_n > 0:
            d = ready[r_head]
            r_head = (r_head + 1) % ND
            r_n -= 1
            while True:
                ph = d_phase[d]
                if ph == PH_START:
                    if d_rem[d] == d_rem[d]:  # not NaN: the starting funnel's remaining time
                        d_dur[d] = d_rem[d]
                    elif d_init[d]:
                        d_dur[d] = i_dur[d_row[d], d_stage[d]]
                    else:
                        d_dur[d] = cand_dur[d_row[d], d_stage[d]]
                    rp = d_orig[d]
                    if r_slots[rp] > 0 and d_slot[d] < 0:
                        d_slot[d] = rp
                        if slot_users[rp] < r_slots[rp]:
                            slot_users[rp] += 1
                            d_slot_held[d] = True
                        else:
                            if slot_tail[rp] < 0:
                                slot_head[rp] = d
                            else:
                                slot_nxt[slot_tail[rp]] = d
                            slot_tail[rp] = d
                            d_phase[d] = PH_WAIT_SLOT
                            break
                    d_phase[d] = PH_WORK
                elif ph == PH_WORK:
                    if d_stage[d] == ps_stage:
                        p = d_rep[d] % NP
                        d_pool[d] = p
                        d_asked[d] = now
                        if pool_users[p] < pool_cap[p]:
                            pool_users[p] += 1
                            d_got[d] = now
                            d_phase[d] = PH_T_HOLD
                            nh = _push(h_t, h_seq, h_pl, h_tok, nh, now + d_dur[d] * ps_share,
                                       seq, EV_TIMEOUT + 4 * d, d_tok[d])
                            seq += 1
                        else:
                            if pool_tail[p] < 0:
                                pool_head[p] = d
                            else:
                                pool_nxt[pool_tail[p]] = d
                            pool_tail[p] = d
                            d_phase[d] = PH_WAIT_POOL
                        break
                    d_phase[d] = PH_T_STAGE
                    nh = _push(h_t, h_seq, h_pl, h_tok, nh, now + d_dur[d], seq,
                               EV_TIMEOUT + 4 * d, d_tok[d])
                    seq += 1
                    break
                elif ph == PH_AFTER_HOLD:
                    nh, seq = _release_consultant(
                        d, now, ps_share, pool_users, pool_head, pool_tail, pool_nxt, d_pool,
                        d_phase, d_got, d_dur, d_tok, h_t, h_seq, h_pl, h_tok, nh, seq)
                    w_id[n_w] = d
                    w_rep[n_w] = d_rep[d]
                    w_ask[n_w] = d_asked[d]
                    w_got[n_w] = d_got[d]
                    w_rel[n_w] = now
                    n_w += 1
                    if ps_share < 1.0:
                        d_phase[d] = PH_T_REST
                        nh = _push(h_t, h_seq, h_pl, h_tok, nh, now + d_dur[d] * (1.0 - ps_share),
                                   seq, EV_TIMEOUT + 4 * d, d_tok[d])
                        seq += 1
                        break
                    d_phase[d] = PH_END
                elif ph == PH_END:
                    s = d_stage[d]
                    st_out[d, s] = now
                    if d_init[d]:
                        u = i_cu[d_row[d], s]
                    else:
                        u = cand_cu[d_row[d], s]
                    done = -1
                    if d_drop[d] or u >= r_conv[d_orig[d], s]:
                        done = LOST
                    elif s == S - 1:
                        done = WON
                    if done < 0:
                        d_stage[d] = s + 1
                        d_stage_in[d] = now
                        st_in[d, s + 1] = now
                        d_dur[d] = cand_dur[d_row[d], s + 1] if not d_init[d] \
                            else i_dur[d_row[d], s + 1]
                        d_phase[d] = PH_WORK
                        continue
                    d_out[d] = done
                    d_closed[d] = now
                    d_phase[d] = PH_DONE
                    d_alive[d] = False
                    n_open[d_rep[d]] -= 1
                    rp = d_slot[d]
                    if rp >= 0 and d_slot_held[d]:
                        d_slot_held[d] = False
                        slot_users[rp] -= 1
                        q = slot_head[rp]
                        while q >= 0 and d_phase[q] != PH_WAIT_SLOT:
                            q = slot_nxt[q]
                        if q >= 0:
                            slot_head[rp] = slot_nxt[q]
                            if slot_head[rp] < 0:
                                slot_tail[rp] = -1
                            slot_users[rp] += 1
                            d_slot_held[q] = True
                            d_phase[q] = PH_WORK
                            ready[(r_head + r_n) % ND] = q
                            r_n += 1
                        else:
                            slot_head[rp] = -1
                            slot_tail[rp] = -1
                    break
                else:
                    break
        if nh == 0:
            break
        t = h_t[0]
        if not t < t_stop:
            break
        pl = h_pl[0]
        tok = h_tok[0]
        nh = _pop(h_t, h_seq, h_pl, h_tok, nh)
        now = t
        kind = pl % 4
        x = pl // 4
        if kind == EV_TIMEOUT:
            d = x
            if tok != d_tok[d] or not d_alive[d]:
                continue
            ph = d_phase[d]
            if ph == PH_T_HOLD:
                d_phase[d] = PH_AFTER_HOLD
            else:
                d_phase[d] = PH_END
            ready[(r_head + r_n) % ND] = d
            r_n += 1
        elif kind == EV_CAND:
            rp = x
            if not active[rp]:
                continue
            k = cand_k[rp]
            cand_k[rp] = k + 1
            full = r_full[rp]
            rate = full
            if has_ramp and r_new[rp]:
                ten = now - r_hired[rp]
                if ten < 0:
                    f = 0.0
                else:
                    m = int(ten // ramp_w)
                    f = ramp_curve[min(m, ramp_curve.shape[0] - 1)]
                rate *= f
            if pl_kind == 1:
                rate *= 1.0 if n_open[rp] < pl_max else 0.0
            elif pl_kind == 2:
                need = full * pl_hpnp
                if need > 0:
                    left = pl_hpw - n_open[rp] * pl_hpd
                    rate *= min(1.0, max(0.0, left / need))
            keep = True
            if rate < full:
                keep = cand_thin[k] * full < rate
            if keep:
                d = next_id
                next_id += 1
                d_rep[d] = rp
                d_orig[d] = rp
                d_src[d] = cand_src[k]
                d_flag[d] = cand_flag[k]
                d_entered[d] = now
                d_entry[d] = cand_entry[k]
                d_stage[d] = cand_entry[k]
                d_stage_in[d] = now
                st_in[d, cand_entry[k]] = now
                d_amount[d] = cand_amount[k]
                d_row[d] = k
                d_phase[d] = PH_START
                d_alive[d] = True
                n_open[rp] += 1
                ready[(r_head + r_n) % ND] = d
                r_n += 1
            if k + 1 < cand_off[rp + 1]:
                nh = _push(h_t, h_seq, h_pl, h_tok, nh, cand_t[k + 1], seq, EV_CAND + 4 * rp, 0)
                seq += 1
        elif kind == EV_HIRE:
            rp = x
            active[rp] = True
            if r_full[rp] > 0 and cand_off[rp + 1] > cand_off[rp]:
                nh = _push(h_t, h_seq, h_pl, h_tok, nh, cand_t[cand_off[rp]], seq,
                           EV_CAND + 4 * rp, 0)
                seq += 1
            if r_leave[rp] < t_stop:
                nh = _push(h_t, h_seq, h_pl, h_tok, nh, r_leave[rp], seq, EV_LEAVE + 4 * rp, 0)
                seq += 1
        else:  # EV_LEAVE
            rp = x
            active[rp] = False
            left_at[rp] = now
            n_drop = 0
            for d in range(next_id):
                if not d_alive[d] or d_rep[d] != rp:
                    continue
                if p_ptr[rp] >= people.shape[1]:
                    people_short = True
                    u = 0.0
                else:
                    u = people[rp, p_ptr[rp]]
                p_ptr[rp] += 1
                to = -1
                for o in range(NR):
                    if active[o] and (to < 0 or n_open[o] < n_open[to]):
                        to = o
                if u < lost_share or to < 0:
                    drops[n_drop] = d
                    n_drop += 1
                    continue
                d_rep[d] = to
                n_open[rp] -= 1
                n_open[to] += 1
            # the interrupted deals close as lost now, in the order they were interrupted
            for j in range(n_drop):
                d = drops[j]
                d_drop[d] = True
                d_tok[d] += 1
                ph = d_phase[d]
                if ph == PH_T_HOLD:
                    nh, seq = _release_consultant(
                        d, now, ps_share, pool_users, pool_head, pool_tail, pool_nxt, d_pool,
                        d_phase, d_got, d_dur, d_tok, h_t, h_seq, h_pl, h_tok, nh, seq)
                # waiting in a queue: leaving it (lazily: the queue skips deals not waiting)
                d_phase[d] = PH_END
                ready[(r_head + r_n) % ND] = d
                r_n += 1
            # the seat's backfill starts after the leave (TeamModel._tenure's timeout)
            b = r_backfill[rp]
            if b >= 0 and r_act[b] < t_stop:
                nh = _push(h_t, h_seq, h_pl, h_tok, nh, r_act[b], seq, EV_HIRE + 4 * b, 0)
                seq += 1

    n_rec = next_id
    return (n_rec, d_rep[:n_rec], d_src[:n_rec], d_flag[:n_rec], d_entered[:n_rec],
            d_entry[:n_rec], d_stage[:n_rec], d_out[:n_rec], d_closed[:n_rec],
            d_amount[:n_rec], st_in[:n_rec], st_out[:n_rec], w_id[:n_w], w_rep[:n_w],
            w_ask[:n_w], w_got[:n_w], w_rel[:n_w], left_at, people_short)


__all__ = ["HAVE_NUMBA", "run_replication"]
_ = math  # the kernel uses only numpy and plain arithmetic
