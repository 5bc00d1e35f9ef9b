"""A virtual radio link that can lose a device: Bumble's ``LocalLink`` plus muting.

``LocalLink`` delivers every PDU instantly and has no supervision timeout, so a device that goes
out of range would never be noticed. ``SimLink`` drops every PDU to or from a muted controller
and, after a supervision timeout, ends its connections on both sides with reason 0x08
(Connection Timeout), as a real controller would. It also drops advertising PDUs from
controllers no longer on the link (ghost advertisers, pitfall P4).
"""

from __future__ import annotations

import asyncio
import logging

from bumble import core, hci, ll
from bumble.controller import Controller
from bumble.link import LocalLink

logger = logging.getLogger(__name__)

SUPERVISION_TIMEOUT_S = 0.72
"""What the emulated link waits before declaring a silent peer lost (a typical OS default)."""


class SimLink(LocalLink):
    """``LocalLink`` with radio loss (mute, then supervision timeout) and restore."""

    def __init__(self) -> None:
        super().__init__()
        self.muted: set[Controller] = set()

    def _silent(self, controller: Controller | None) -> bool:
        return controller is None or controller in self.muted or controller not in self.controllers

    def send_acl_data(
        self,
        sender_controller: Controller,
        destination_address: hci.Address,
        transport: core.PhysicalTransport,
        data: bytes,
    ) -> None:
        if self._silent(sender_controller) or self._silent(
            self.find_le_controller(destination_address)
        ):
            return
        super().send_acl_data(sender_controller, destination_address, transport, data)

    def send_advertising_pdu(
        self, sender_controller: Controller, packet: ll.AdvertisingPdu
    ) -> None:
        if self._silent(sender_controller):
            return
        loop = asyncio.get_running_loop()
        for c in self.controllers - self.muted - {sender_controller}:
            loop.call_soon(c.on_ll_advertising_pdu, packet)

    def send_ll_control_pdu(
        self, sender_address: hci.Address, receiver_address: hci.Address, packet: ll.ControlPdu
    ) -> None:
        sender = self.find_le_controller(sender_address)
        receiver = self.find_le_controller(receiver_address)
        if self._silent(sender) or self._silent(receiver):
            return
        super().send_ll_control_pdu(sender_address, receiver_address, packet)

    async def radio_loss(
        self, controller: Controller, supervision_timeout_s: float = SUPERVISION_TIMEOUT_S
    ) -> None:
        """Take ``controller`` out of range; after the timeout both sides see reason 0x08."""
        self.muted.add(controller)
        await asyncio.sleep(supervision_timeout_s)
        self.drop_connections(controller, hci.HCI_CONNECTION_TIMEOUT_ERROR)

    def restore(self, controller: Controller) -> None:
        """Bring ``controller`` back in range: its advertising is heard again."""
        self.muted.discard(controller)

    def drop_connections(self, controller: Controller, reason: int) -> None:
        """End every connection to or from ``controller`` on both sides, with ``reason``."""
        for c in list(self.controllers):
            for conn in list(c.le_connections.values()):
                peer = self.find_le_controller(conn.peer_address)
                if controller in (c, peer) and conn.peer_address in c.le_connections:
                    c.on_le_disconnected(conn, reason)
