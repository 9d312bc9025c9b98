#!/usr/bin/env python3
"""Seed inputs for QEMU's generic-fuzz target on zcnic (scripts/fuzz.sh).

An empty corpus takes the fuzzer a long time to find a register sequence
that enables a queue, so the corpus starts from a few programs that do
what a driver does: program RX and TX queue 0, arm the interrupt and ring
the TX doorbell. Every DMA read the device makes is answered from the DMA
patterns in the input; here one pattern, a TX descriptor, which also serves
as header and payload buffer addresses. The frame it describes goes out of
the UDP loopback netdev and comes back to the RX path (promiscuous filter).

Input format (tests/qtest/fuzz/generic_fuzz.c): commands separated by
"FUZZ"; a command is an opcode byte (taken modulo 10) and its arguments.
MMIO writes name their region by index among the fuzzable regions mapped
in the address space, in address order: 0 is BAR0 (registers), the
lowest BAR.

Usage: seeds.py DIR  -- writes the seeds into DIR (existing files stay).
"""
import os
import struct
import sys


SEP = b"FUZZ"
OP_WRITE, OP_ADD_DMA_PATTERN, OP_CLOCK_STEP = 3, 7, 9

# register offsets (include/zcnic_hw.h)
DEV_RX_FILTER = 0x24
DEV_IRQ_MASK = 0x34
Q = 0x1000
RXQ_CTRL, RXQ_BUF_CFG, RXQ_HDS_THRESH = 0x00, 0x08, 0x0C
RXQ_HBR_BASE_LO, RXQ_HBR_SIZE, RXQ_HBR_TAIL = 0x10, 0x18, 0x1C
RXQ_PBR_BASE_LO, RXQ_PBR_SIZE, RXQ_PBR_TAIL = 0x24, 0x2C, 0x30
RXQ_RCQ_BASE_LO, RXQ_RCQ_SIZE, RXQ_RCQ_HEAD = 0x38, 0x40, 0x44
QP_IRQ_CTRL, QP_IRQ_ITR = 0x64, 0x68
TXQ_CTRL, TXQ_DR_BASE_LO, TXQ_DR_SIZE, TXQ_DR_TAIL = 0x80, 0x88, 0x90, 0x94
TXQ_TCQ_BASE_LO, TXQ_TCQ_SIZE, TXQ_TCQ_HEAD = 0x9C, 0xA4, 0xA8


def write(off, val, size=2, base=0):
    # struct { u8 size; u8 base; u32 offset; u64 value; } with its padding;
    # size 2 is a 32-bit access
    return bytes([OP_WRITE]) + struct.pack("<BBxxIQ", size, base, off, val)


def dma_pattern(data, index=0, stride=0):
    return bytes([OP_ADD_DMA_PATTERN, index, stride]) + data


def tx_desc(addr, length, flags):
    return struct.pack("<QHHHH", addr, length, flags, 0, 0)


def program(tx_len, hds=True, pack=False, itr=0, ring=16):
    ctrl = 1 | (2 if hds else 0) | (4 if pack else 0)
    cmds = [
        dma_pattern(tx_desc(0x100000, tx_len, 1)),
        write(DEV_RX_FILTER, 1),
        write(DEV_IRQ_MASK, 3),
        write(Q + RXQ_BUF_CFG, 256 | (12 << 16)),
        write(Q + RXQ_HDS_THRESH, 0),
        write(Q + RXQ_HBR_BASE_LO, 0x200000), write(Q + RXQ_HBR_SIZE, ring),
        write(Q + RXQ_PBR_BASE_LO, 0x210000), write(Q + RXQ_PBR_SIZE, ring),
        write(Q + RXQ_RCQ_BASE_LO, 0x220000), write(Q + RXQ_RCQ_SIZE, ring),
        write(Q + RXQ_CTRL, ctrl),
        write(Q + RXQ_HBR_TAIL, ring - 1), write(Q + RXQ_PBR_TAIL, ring - 1),
        write(Q + QP_IRQ_ITR, itr),
        write(Q + QP_IRQ_CTRL, 1),
        write(Q + TXQ_DR_BASE_LO, 0x230000), write(Q + TXQ_DR_SIZE, ring),
        write(Q + TXQ_TCQ_BASE_LO, 0x240000), write(Q + TXQ_TCQ_SIZE, ring),
        write(Q + TXQ_CTRL, 1),
        write(Q + TXQ_DR_TAIL, 1),
        bytes([OP_CLOCK_STEP]),
        write(Q + RXQ_RCQ_HEAD, 1),
        write(Q + TXQ_TCQ_HEAD, 1),
        write(Q + TXQ_DR_TAIL, 3),
        bytes([OP_CLOCK_STEP]),
    ]
    return SEP.join(cmds)


SEEDS = {
    "seed-tx-rx-split": program(200),
    "seed-tx-rx-pack": program(1514, pack=True),
    "seed-tx-rx-nosplit-itr": program(60, hds=False, itr=50),
    "seed-tx-rx-jumbo": program(9000, ring=64),
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(sys.argv[1], name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
