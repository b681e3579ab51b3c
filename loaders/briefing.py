"""The briefing's own batch: each contact's open notifications (unread or read, not
dismissed nor acted upon), latest scheduled first, at most MAX_OPEN per contact."""

from __future__ import annotations

MAX_OPEN = 20

OPEN_NOTIFICATIONS = f"""-- contact_open_notifications
    select * from (
        select n.id, n.type, n.contact_id, n.priority, n.status, n.title, n.body,
               n.scheduled_for, n.delivered_at, n.created_at, n.updated_at,
               row_number() over (partition by n.contact_id
                                  order by n.scheduled_for desc, n.id desc) as position
          from notifications n
         where n.user_id = $1 and n.contact_id = any($2::uuid[])
           and n.status in ('unread', 'read')
    ) ranked
     where position <= {MAX_OPEN}
     order by contact_id, position"""
