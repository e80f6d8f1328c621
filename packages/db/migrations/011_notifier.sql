-- Notifications the notifier has delivered: checked before every delivery, so a redelivered
-- ReplyReady or SupervisorAlert is not sent to the customer or the supervisors a second time.
CREATE TABLE delivered_notifications (
  notification_id text PRIMARY KEY,
  kind            text NOT NULL,
  conversation_id text NOT NULL,
  target          text NOT NULL,
  status_code     integer NOT NULL,
  delivered_at    timestamptz NOT NULL DEFAULT now()
);
