"""The eight strategy steps, registered as portfolio sections with their default criteria.

Each note says, in one sentence, how the finished step proves the criterion; the
learner can change the mappings once the section exists.
"""

from __future__ import annotations

from core.sections import Section, register_section

STAGE = "Strategy"

STRATEGY_SECTIONS = [
    Section(
        key="strategy.vision",
        title="Vision and fit",
        order=210,
        url_name="strategy:vision",
        stage=STAGE,
        default_criteria={
            "CSSMS": {
                "1.1": "Explains what social media does within the organisation's customer service strategy: "
                "the part it plays for customers alongside the other channels.",
                "1.2": "Sets out the parts and reach of the social media strategy and how it connects with "
                "other teams and functions.",
                "1.3": "Shows how brand values and marketing shape the strategy, and which media are owned, "
                "earned or paid.",
                "2.1": "Weighs the operating environment and constraints that shape how the strategy can "
                "be developed.",
                "2.4": "States a vision for social customer service that takes account of the operating "
                "environment and practical limits.",
                "2.5": "Shows the strategy fits the organisation's overall business strategy and objectives.",
            }
        },
    ),
    Section(
        key="strategy.objectives",
        title="SMART objectives",
        order=220,
        url_name="strategy:objectives",
        stage=STAGE,
        default_criteria={
            "CFACSD22": {
                "K14": "Each objective is tied to a named service metric with a baseline and a target, "
                "showing which metrics track improvement.",
            },
            "CSSMS": {
                "2.5": "Each objective names the business objective it serves, so the strategy stays "
                "consistent with the organisation's aims.",
            },
        },
    ),
    Section(
        key="strategy.platforms",
        title="Platform selection",
        order=230,
        url_name="strategy:platforms",
        stage=STAGE,
        default_criteria={
            "CFACSD22": {
                "P2": "Scores the platforms customers are most likely to use and ranks them with a "
                "justified, weighted matrix.",
                "K3": "Compares mainstream and niche platforms on audience, usage and service features.",
            },
            "CSSMS": {
                "2.2": "Assesses how well each platform suits engaging customers, with weighted criteria "
                "and a written justification.",
            },
        },
    ),
    Section(
        key="strategy.risks",
        title="Risk register",
        order=240,
        url_name="strategy:risks",
        stage=STAGE,
        default_criteria={
            "CSSMS": {
                "2.5": "Names the risks the strategy must address, with an owner and a mitigation for each.",
                "3.5": "Analyses the risks of using social media by likelihood and impact, before and after "
                "mitigation.",
            }
        },
    ),
    Section(
        key="strategy.regulation",
        title="Regulation check",
        order=250,
        url_name="strategy:regulation",
        stage=STAGE,
        default_criteria={
            "CFACSD22": {
                "P8": "Checks each proposed improvement against consumer, data protection, equality and "
                "advertising law and the platforms' terms.",
                "K8": "Shows which regulations govern social media service and what each demands of the "
                "improvements.",
            }
        },
    ),
    Section(
        key="strategy.implementation",
        title="Implementation plan",
        order=260,
        url_name="strategy:implementation",
        stage=STAGE,
        default_criteria={
            "CFACSD22": {
                "P9": "Plans the enhanced use of social media from what the review of current use found.",
                "P10": "Allocates responsibilities with colleagues in a matrix of who is responsible, "
                "accountable, consulted and informed.",
                "P11": "Sets out response protocols, service levels, escalation and crisis procedures.",
                "P12": "Plans how the improvements are put in place: tasks, owners, dates, training, "
                "tools and budget.",
                "K6": "A brand voice with do and don't examples shows why impact in social communication "
                "matters.",
                "K7": "Response protocols per platform show how social media communication works in "
                "practice.",
                "K10": "The responsibility matrix shows the teamwork the improvements depend on.",
                "K11": "Devises procedures for social media service and presents them as protocols and an "
                "escalation path.",
            },
            "CSSMS": {
                "2.6": "Evaluates whether today's structures and processes can deliver the strategy, and "
                "what must change.",
            },
        },
    ),
    Section(
        key="strategy.monitoring",
        title="Monitoring and review",
        order=270,
        url_name="strategy:monitoring",
        stage=STAGE,
        default_criteria={
            "CFACSD22": {
                "P13": "Records what each change did to the service, measured before and after.",
                "P14": "Each review cycle uses the monitoring data to choose the next improvement.",
                "K12": "Names the data chosen to watch each improvement.",
                "K13": "Shows how the effects of a change were observed in the social media data.",
                "K14": "Compares service metrics before and after each change.",
            },
            "CSSMS": {
                "1.6": "Evaluates how the organisation's use of social media contributes to business "
                "performance, using measured results.",
            },
        },
    ),
    Section(
        key="strategy.pitch",
        title="Champion pitch",
        order=280,
        url_name="strategy:pitch",
        stage=STAGE,
        default_criteria={
            "CSSMS": {
                "3.1": "Weighs the benefits and drawbacks of social media for getting messages to customers.",
                "3.2": "Analyses what engaging customers on social media brings and what it commits the "
                "organisation to.",
                "3.3": "Explains how the dialogue with customers will be kept going after first contact.",
                "3.4": "Presents the case to managers and lists the champion's own actions.",
                "3.5": "Sets out the risks of social media use alongside the benefits claimed.",
            }
        },
    ),
]

for _section in STRATEGY_SECTIONS:
    register_section(_section)
