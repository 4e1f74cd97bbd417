"""Every refusal notifications gives, once: its stable code, its kind (which the edge maps to an HTTP
status or a dead-letter reason), its message in Vietnamese and English, and what it means.

(The refusals of tokens — ``missing-token``, ``invalid-token``, ``token-expired``,
``insufficient-scope``, ``no-organisation`` — and of malformed requests, ``validation-failed``,
are the runtime kit's.)
"""

from __future__ import annotations

from servicekit.errors import Catalogue, ErrorCode, Refusal

NOTIFICATION_NOT_FOUND = ErrorCode(
    "notification-not-found",
    Refusal.NOT_FOUND,
    "Không có thông báo {notification_ids} trong hộp thư của cán bộ.",
    "No notification {notification_ids} in the caller's feed.",
    meaning="A read mark names a notice that is not in the officer's feed (another organisation's, "
    "another role's, or none at all); nothing was marked.",
)
NOT_YOUR_RECIPIENT = ErrorCode(
    "not-your-recipient",
    Refusal.FORBIDDEN,
    "Cán bộ không quản lý cách nhận thông báo của {recipient}: cán bộ chỉ quản lý của vai trò mình "
    "trong đơn vị {organisation}; của đơn vị là lãnh đạo đơn vị.",
    "The officer does not manage how {recipient} is notified: officers manage their own roles' "
    "notices in {organisation}; the organisation's are its leader's.",
    meaning="Preferences of another organisation, of a role the officer does not hold, or of the "
    "organisation itself without the leader role.",
)
UNKNOWN_CHANNEL = ErrorCode(
    "unknown-channel",
    Refusal.NOT_FOUND,
    "Không có kênh thông báo “{channel}” mà người nhận tự chọn; các kênh: {channels}.",
    "There is no channel “{channel}” that recipients choose; the channels: {channels}.",
    meaning="A per-channel preference names a channel this service does not run, or one chosen "
    "otherwise (webhooks, by subscription).",
)
INVALID_CHANNEL_ADDRESS = ErrorCode(
    "invalid-channel-address",
    Refusal.INVALID,
    "Địa chỉ “{address}” không dùng được cho kênh {channel}: {reason}.",
    "The address “{address}” does not suit the channel {channel}: {reason}.",
    meaning="A per-channel preference gives an address the channel cannot send to (not an e-mail "
    "address for e-mail, any address for the feed).",
)
NO_SUBSCRIPTION = ErrorCode(
    "no-subscription",
    Refusal.NOT_FOUND,
    "Hệ thống {client_id} chưa đăng ký nhận webhook.",
    "The client {client_id} has no webhook subscription.",
    meaning="The client asks for, rotates or ends a subscription it never made (or already ended).",
)
DELIVERY_NOT_FOUND = ErrorCode(
    "delivery-not-found",
    Refusal.NOT_FOUND,
    "Không có lần gửi webhook {delivery_id} cho hệ thống {client_id}.",
    "No webhook delivery {delivery_id} for the client {client_id}.",
    meaning="The delivery does not exist, is not a webhook, or went to another client.",
)
DELIVERY_UNDER_WAY = ErrorCode(
    "delivery-under-way",
    Refusal.CONFLICT,
    "Lần gửi {delivery_id} còn đang chờ gửi hoặc đang gửi: chỉ gửi lại được lần gửi đã tới nơi, "
    "đã hủy hoặc đã hết số lần thử.",
    "The delivery {delivery_id} is still on its way: only a delivered, cancelled or dead-lettered "
    "delivery is sent again.",
    meaning="A redelivery of a delivery that is pending, being sent or held for a digest; its "
    "status is in `detail`.",
)
INSECURE_WEBHOOK_URL = ErrorCode(
    "insecure-webhook-url",
    Refusal.INVALID,
    "Địa chỉ webhook {url} phải dùng https.",
    "The webhook URL {url} must use https.",
    meaning="Notices carry personal data: they go over TLS only (plain http only where "
    "`TDKT_NOTIFICATIONS_WEBHOOK_ALLOW_HTTP` allows it, in development).",
)
WEBHOOK_URL_NOT_PUBLIC = ErrorCode(
    "webhook-url-not-public",
    Refusal.INVALID,
    "Địa chỉ webhook {url} phải là địa chỉ công khai trên Internet: máy {host} không phân giải ra "
    "địa chỉ công khai (mạng nội bộ, loopback hoặc không tồn tại).",
    "The webhook URL {url} must be public: the host {host} does not resolve to public addresses "
    "only (loopback, a private network, or no address at all).",
    meaning="The platform must not be made to call its own network (SSRF).",
)

CATALOGUE = Catalogue(
    "notifications",
    NOTIFICATION_NOT_FOUND,
    NOT_YOUR_RECIPIENT,
    UNKNOWN_CHANNEL,
    INVALID_CHANNEL_ADDRESS,
    NO_SUBSCRIPTION,
    DELIVERY_NOT_FOUND,
    DELIVERY_UNDER_WAY,
    INSECURE_WEBHOOK_URL,
    WEBHOOK_URL_NOT_PUBLIC,
)
