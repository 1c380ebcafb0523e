"""Every sentence the sharing feature shows a person, in one place.

Tests assert these exact words, so a change here is a change people will see.
"""

from __future__ import annotations

# Connecting -----------------------------------------------------------------------
LINK_EMPTY = "Paste the connection link from the circle server first."
LINK_MALFORMED = (
    "That does not look like a connection link. It looks like "
    "https://your-circle.example/connect/… — copy it again from \"Connect a journal\" "
    "on the circle server. Nothing was saved."
)
LINK_INSECURE = (
    "The link must start with https://, so what you share is encrypted on its way. "
    "Plain http:// is only accepted for a server on this computer. Nothing was saved."
)
CONNECT_UNREACHABLE = (
    "Could not reach {host}: {why}. Check the link and your connection, then try "
    "again. Nothing was saved."
)
CONNECT_REFUSED = "The circle server refused the link: {message} Nothing was saved."
CONNECT_BAD_ANSWER = (
    "{host} answered, but not like a circle server: {why}. Check the link. Nothing was saved."
)
CONNECTED = "Connected to {server} as {account}."
CONNECTED_NO_CIRCLES = (
    "Connected to {server} as {account}, but your circles could not be loaded: {why} "
    "Use \"Refresh\" in a moment."
)
ALREADY_CONNECTED = "This journal is already connected. Disconnect first to use another link."
RECONNECT_OTHER_SERVER = (
    "This journal is connected to {server}. To use a link from another server, disconnect "
    "first. Nothing was saved."
)
RECONNECTED = "Connected again to {server} as {account}. What was waiting will be sent."
RECONNECTED_OTHER_ACCOUNT = (
    "Connected to {server} as {account}, another account than before. What this journal "
    "shared earlier belongs to the other account, so the list of shared items was cleared."
)
NOT_CONNECTED = "This journal is not connected to a circle server."
DISCONNECTED = (
    "Disconnected: this journal forgot its token, and nothing more will be sent. What you "
    "shared before stays on {server} until you remove it there; comments you received "
    "stay in your journal."
)
NOT_REVOKED = (
    "The server could not be told; you can revoke this journal on the server's Connect page."
)
REMOVALS_WAITING = (
    "Some items you stopped sharing are not yet removed from the server: connect to the "
    "network and press Send now first, or remove them on the server. Not yet removed: "
    "{items}."
)
REMOVALS_WAITING_REFUSED = (
    "Some items you stopped sharing are not yet removed from the server, and it no longer "
    "accepts this journal: connect again with a new link from the same account so they "
    "are sent, or remove them on the server. Not yet removed: {items}."
)
REMOVALS_LEFT = "Still on the server (remove them there yourself): {items}."
RECONNECT_REMOVALS_WAITING = (
    "That link is for another account ({account}) than before ({before}). Some items you "
    "stopped sharing are not yet removed from the server, and only {before} can remove "
    "them: connect with a link from that account first, or remove them on the server. Not "
    "yet removed: {items}. The new link was not kept; make another when you are ready."
)
REFRESHED = "Your circles are up to date."
REFRESH_FAILED = "Could not load your circles: {why}"
# A sentence, not a secret (the name only looks like one to a linter).
TOKEN_REFUSED = (
    "The circle server no longer accepts this journal ({message}). Make a new connection "  # noqa: S105
    "link on the server and paste it below: what you shared stays shared, and what waits "
    "will be sent."
)

# Why a request did not go through ----------------------------------------------------
WHY_UNREACHABLE = "server unreachable"
WHY_TIMEOUT = "the server did not answer in time"
WHY_CERTIFICATE = "the server's certificate could not be verified"
WHY_REFUSED_CONNECTION = "connection refused"
WHY_NO_NAME = "no server by that name"
WHY_SERVER_PROBLEM = "the server had a problem (HTTP {status})"
WHY_SLOW_DOWN = "the server asked to slow down"
WHY_NOT_UNDERSTOOD = "the server's answer was not understood"
WHY_TOO_BIG = "the server's answer was too large"
WHY_REDIRECT = "the server sent the request elsewhere (HTTP {status}); connect again"
WHY_REFUSED = "server refused: {message}"
WHY_NO_MESSAGE = "HTTP {status}"

# States ----------------------------------------------------------------------------
STATE_PRIVATE = "private"
STATE_SHARED = "shared"
STATE_WAITING = "waiting to send"
STATE_REMOVING = "removing: waiting to send"
STATE_RETRY = "failed: {why}, will retry at {at}"
STATE_FAILED = "failed: {why}"
STATE_LOCKED_NOTE = "Nothing is sent while the journal is locked."

# Sharing an item ---------------------------------------------------------------------
NO_CIRCLE_CHOSEN = "Choose at least one circle, or your therapist."
CIRCLE_NOT_YOURS = (
    "One of the chosen circles is not one you own any more. Refresh your circles on the "
    "Sharing page and choose again."
)
NOTHING_TO_SHARE = "This entry has no text to share."
EXCERPT_EMPTY = (
    "The excerpt is empty: keep the passage you want to share, or share the whole entry."
)
TOO_LONG = (
    "This is too long to share ({size} KB; the limit is {limit} KB). Share an excerpt instead."
)
CHANGED_SINCE_PREVIEW = (
    "The entry changed since the preview. Here is what would be sent now; please look again."
)
QUEUED_ENTRY = "Queued: the entry is waiting to send to {audience}."
QUEUED_UPDATE = "Your changes are queued for {audience}."
UNSHARED = "No longer shared. Removing it from the circle server is queued."
NO_THERAPY_CIRCLE = (
    "There is no therapy circle yet: make one on the circle server, invite your therapist, "
    "then refresh your circles here."
)
QUEUED_CHECKIN = "Queued: this check-in is waiting to send to your therapist ({circle})."
QUEUED_NOTE = "Queued: this note is waiting to send to your therapist ({circle})."
AUTO_SHARE_ON = "Each new check-in will be sent to your therapist ({circle})."
AUTO_SHARE_OFF = "New check-ins stay private unless you share them one by one."
AUTO_SHARED = "It is queued for your therapist ({circle})."

# Comments under an entry ------------------------------------------------------------
COMMENTS_FROM = "From {circle}"
COMMENTS_FROM_THERAPIST = "From your therapist"
COMMENTS_EARLIER = "Earlier comments, from when one post went to several circles"
COMMENTS_OLDER = (
    "Showing the latest {shown} comments; {older} older ones are kept in your journal but "
    "not shown here."
)
SEVERAL_CIRCLES = "the earlier post for several circles at once"

# Sending -----------------------------------------------------------------------------
SENT_SUMMARY = (
    "Sent {sent}; {waiting} waiting; {failed} failed. {comments} new or changed comments."
)
SEND_LOCKED = "The journal is locked: nothing was sent."
SEND_BUSY = "A send is already under way; try again in a moment."
RETRY_QUEUED = "It will be tried again now."
