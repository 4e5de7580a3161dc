//! The public card a handler serves, which can be replaced while it runs.
//!
//! The card lives behind one lock as an `Arc`, so that a replacement is a
//! single swap: the card endpoint and every capability check read the same
//! slot, and see the new card from the same moment. A reader holds the
//! lock only to clone the `Arc`; a request that read the old card before
//! the swap finishes with it.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use super::RequestHandler;
use crate::types::AgentCard;

/// One version of the card, and since when it is the one served.
#[derive(Debug)]
pub(crate) struct CardRevision {
    pub(crate) card: Arc<AgentCard>,
    /// In whole seconds, as HTTP dates have no finer resolution, and later
    /// than the revision before: a client holding the previous
    /// `Last-Modified` must never be told that nothing changed.
    pub(crate) since: SystemTime,
}

/// The slot holding the current revision.
pub(super) struct CardSlot {
    current: RwLock<Arc<CardRevision>>,
}

impl CardSlot {
    pub(super) fn new(card: AgentCard) -> Self {
        Self {
            current: RwLock::new(Arc::new(CardRevision {
                card: Arc::new(card),
                since: whole_seconds(SystemTime::now()),
            })),
        }
    }

    pub(super) fn current(&self) -> Arc<CardRevision> {
        Arc::clone(&self.current.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// What `read` makes of the current card, without taking a share of it:
    /// for the checks every request makes.
    pub(super) fn read<R>(&self, read: impl FnOnce(&AgentCard) -> R) -> R {
        read(&self.current.read().unwrap_or_else(|p| p.into_inner()).card)
    }

    /// Puts `card` in place unless it equals the current one; says whether it did.
    fn replace(&self, card: AgentCard) -> bool {
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        if *current.card == card {
            return false;
        }
        let now = whole_seconds(SystemTime::now());
        let since = now.max(current.since + Duration::from_secs(1));
        *current = Arc::new(CardRevision {
            card: Arc::new(card),
            since,
        });
        true
    }
}

/// `time` truncated to whole seconds since the epoch.
fn whole_seconds(time: SystemTime) -> SystemTime {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(elapsed) => SystemTime::UNIX_EPOCH + Duration::from_secs(elapsed.as_secs()),
        Err(_) => SystemTime::UNIX_EPOCH,
    }
}

/// The card as served: with the v0.3 interfaces beside the 1.x ones when
/// v0.3 is served and the card is not signed (adding to a signed card would
/// break its signatures).
pub(super) fn served_card(card: AgentCard, serve_v0_3: bool) -> AgentCard {
    if serve_v0_3 && card.signatures.is_empty() {
        crate::v0_3::with_interfaces(card)
    } else {
        card
    }
}

/// A card that cannot be served, or a card file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardError(String);

impl CardError {
    pub(crate) fn new(why: impl Into<String>) -> Self {
        Self(why.into())
    }
}

impl fmt::Display for CardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CardError {}

/// What a replacement card must have. A JSON document of another kind
/// reads as a card with every field empty (they all have defaults, so that
/// a sparse card from a peer is still read): such a card is refused rather
/// than served.
pub(crate) fn check_card(card: &AgentCard) -> Result<(), CardError> {
    if card.name.trim().is_empty() {
        return Err(CardError::new("the card has no name"));
    }
    Ok(())
}

impl RequestHandler {
    /// The public agent card, as it is now. Cheap: a shared pointer to the
    /// current card, which stays as it is however the handler's card
    /// changes afterwards (see [`set_card`](Self::set_card)).
    pub fn card(&self) -> Arc<AgentCard> {
        Arc::clone(&self.inner.card.current().card)
    }

    /// The current card and since when it is served.
    pub(crate) fn card_revision(&self) -> Arc<CardRevision> {
        self.inner.card.current()
    }

    /// Serves `card` from now on, in place of the current one. Returns
    /// whether anything changed (a card equal to the current one changes
    /// nothing, not even the `Last-Modified` of the card endpoint).
    ///
    /// The swap is atomic: from the moment it returns, the card endpoint
    /// serves the new card (with a new `ETag` and `Last-Modified`) and
    /// every operation checks the new card's capabilities and required
    /// extensions. A request already past its checks finishes as it began;
    /// a stream already open stays open.
    ///
    /// A card without a name is refused and the current one kept.
    ///
    /// What a new card does not change: the routers already mounted (a new
    /// interface URL is served only where a router listens), an
    /// [`Authenticator`](crate::server::auth::Authenticator) already built
    /// from the old card's security schemes, the extended card, and the
    /// handler's settings. Declaring `pushNotifications` where the old
    /// card did not starts the push sender; withdrawing it refuses the
    /// push config operations from then on, while the deliveries already
    /// queued for configs stored before are still sent.
    ///
    /// ```
    /// use a2akit::server::{AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
    /// use a2akit::types::AgentCard;
    ///
    /// # struct Done;
    /// # impl AgentExecutor for Done {
    /// #     async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), a2akit::Error> {
    /// #         updater.complete().await
    /// #     }
    /// # }
    /// let card = AgentCard::builder().name("Done").description("Finishes").streaming(true).build();
    /// let handler = RequestHandler::builder(card, Done).build();
    /// assert!(handler.card().capabilities.supports_streaming());
    ///
    /// let without_streams = AgentCard::builder().name("Done").description("Finishes").build();
    /// assert!(handler.set_card(without_streams.clone()).unwrap());
    /// assert!(!handler.card().capabilities.supports_streaming());
    /// assert!(!handler.set_card(without_streams).unwrap(), "the same card again changes nothing");
    /// assert!(handler.set_card(AgentCard::builder().build()).is_err(), "a card needs a name");
    /// ```
    pub fn set_card(&self, card: AgentCard) -> Result<bool, CardError> {
        check_card(&card)?;
        let card = served_card(card, self.inner.serve_v0_3);
        let push = card.capabilities.supports_push_notifications();
        let name = card.name.clone();
        if !self.inner.card.replace(card) {
            return Ok(false);
        }
        if push {
            self.start_push_sender();
        }
        tracing::info!(agent = %name, "agent card replaced");
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(description: &str) -> AgentCard {
        AgentCard::builder()
            .name("Agent")
            .description(description)
            .build()
    }

    #[test]
    fn a_new_revision_is_later_than_the_one_before_even_within_a_second() {
        let slot = CardSlot::new(card("one"));
        let first = slot.current();
        assert!(slot.replace(card("two")));
        let second = slot.current();
        assert!(second.since > first.since);
        assert_eq!(second.card.description, "two");
        assert!(!slot.replace(card("two")), "an equal card is no change");
        assert!(Arc::ptr_eq(&slot.current(), &second));
    }
}
