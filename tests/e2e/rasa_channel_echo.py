"""Rasa's real socket.io input channel in a bare Sanic app that echoes messages.

Lets the widget tests meet the exact server code of the installed Rasa (rooms,
session persistence, metadata key) without a trained model. Run as a script:
    python -m tests.e2e.rasa_channel_echo PORT
"""

from __future__ import annotations

import json
import sys

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Sanic
from sanic_cors import CORS


def main(port: int) -> None:
    app = Sanic("rasa_channel_echo")
    # As `rasa run --cors "*"` does: the channel itself disables engine.io's CORS
    # handling, so without this a browser on another origin cannot long-poll.
    CORS(app, resources={r"/*": {"origins": "*"}}, automatic_options=True)
    channel = SocketIOInput(session_persistence=True, metadata_key="metadata")

    async def on_new_message(message: UserMessage) -> None:
        language = (message.metadata or {}).get("language")
        reply = f"echo ({language}): {message.text}"
        await message.output_channel.send_text_with_buttons(
            message.sender_id, reply, [{"title": "Again", "payload": "again"}]
        )
        print(json.dumps({"sender": message.sender_id, "text": message.text}), flush=True)

    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/socketio")
    app.run(host="127.0.0.1", port=port, access_log=False, motd=False)


if __name__ == "__main__":
    main(int(sys.argv[1]))
