#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A third-party Modbus TCP server (Debian's python3-pymodbus) that logs every write it receives.

Usage: pymodbus_peer.py PORT LOGFILE [ADDRESS=VALUE ...]
Each ADDRESS=VALUE seeds a holding register (0-based) before serving: a drive's panel settings.
Each write is logged as 'WRITE <address> <value>[,<value>...]' (0-based wire addresses, decimal).
The holding registers read back what was written, so treadd's watchdog read-back passes.
"""
import logging
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartTcpServer

port, log_path = int(sys.argv[1]), sys.argv[2]
seeds = [tuple(int(x, 0) for x in arg.split("=")) for arg in sys.argv[3:]]
log = open(log_path, "a", buffering=1)


class LoggingBlock(ModbusSequentialDataBlock):
    def setValues(self, address, values):
        if not isinstance(values, list):
            values = [values]
        log.write("WRITE %d %s\n" % (address, ",".join(str(v) for v in values)))
        super().setValues(address, values)


logging.basicConfig(level=logging.WARNING)
holding = [0] * 65536
for address, value in seeds:
    holding[address] = value
store = ModbusSlaveContext(hr=LoggingBlock(0, holding), ir=ModbusSequentialDataBlock(0, [0] * 65536),
                           zero_mode=True)
log.write("READY\n")
StartTcpServer(context=ModbusServerContext(slaves=store, single=True), address=("127.0.0.1", port))
