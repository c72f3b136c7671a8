"""Priority-round endpoints: the public ranking with its intervals."""

from django.http import HttpRequest
from ninja import Router

from cpps.common.api import LOOKUP, JurisdictionSlug, ObjectId, responses
from cpps.jurisdictions.selectors import jurisdiction_get
from cpps.priorities import selectors
from cpps.priorities.schemas import IdeaScoreOut, RankingOut

router = Router(tags=["priorities"])


@router.get(
    "/{slug}/priority-rounds/{round_id}/ranking", response=responses({200: RankingOut}, *LOOKUP)
)
def get_ranking(request: HttpRequest, slug: JurisdictionSlug, round_id: ObjectId) -> RankingOut:
    process = selectors.round_get(jurisdiction=jurisdiction_get(slug=slug), pk=round_id)
    results = selectors.round_results(process=process)
    return RankingOut(
        round_id=process.pk,
        title=process.title,
        comparisons=results.comparisons,
        participants=results.participants,
        weighted_by=list(results.weighted_by),
        ideas=[
            IdeaScoreOut(
                rank=row.rank,
                idea_id=row.idea.pk,
                text_en=row.idea.text_en,
                text_es=row.idea.text_es,
                score=row.score.score,
                score_low=row.score.score_low,
                score_high=row.score.score_high,
                comparisons=row.comparisons,
            )
            for row in results.overall
        ],
    )
