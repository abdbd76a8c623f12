"""Steps that must never undo what came before them (an email after a booking, a PDF after a
visit, an invoice after its order): each runs in a savepoint, and a failure is returned for the
office to see instead of raised. A passing database error is raised all the same: the caller
is replayed (Odoo retries a request; a daily job, its next run)."""

import logging

import psycopg2.errors

from odoo.fields import Command

_logger = logging.getLogger(__name__)

# a concurrent transaction holds or changed the row: never reported as the step's own problem
TRANSIENT_DB_ERRORS = (
    psycopg2.errors.SerializationFailure,
    psycopg2.errors.DeadlockDetected,
    psycopg2.errors.LockNotAvailable,
    psycopg2.errors.QueryCanceled,
)


def try_step(cr, step, what):
    """Run ``step()`` in a savepoint of ``cr``.

    :param what: the step in words, for the log
    :return: ``(its result, None)``, or ``(None, the exception)`` when it failed (rolled back)
    """
    try:
        with cr.savepoint():
            return step(), None
    except TRANSIENT_DB_ERRORS:
        raise
    except Exception as error:  # pylint: disable=broad-except
        _logger.info("%s failed", what, exc_info=True)
        return None, error


def post_client_email(record, template, partner, **values):
    """Post ``template`` on ``record``'s chatter, emailed to ``partner`` only: the record's
    followers get no copy, nor its suggested recipients (e.g. the company), as ``try_step``.

    :return: ``(mail.message, None)`` or ``(None, the exception)``
    """
    return try_step(
        record.env.cr,
        lambda: record.with_company(record.company_id).message_post_with_source(
            template,
            subtype_xmlid="mail.mt_comment",
            message_type="comment",
            notify_skip_followers=True,
            partner_ids=[Command.set(partner.ids)],
            **values,
        ),
        f"Client email {template.display_name} of {record.display_name}",
    )
