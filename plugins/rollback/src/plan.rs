//! The runbook as numbered steps, each knowing what it changes.
//!
//! A [`Step`] holds commands ([`Block`]s) to run in order and, where two ways
//! back are valid, [`Choice`]s: "either … or …", each with when to choose it.
//! Every block records its [`Action`]s — which [`Target`] it changes and how
//! ([`Effect`]) — so [`conflicts`] can check, on the data and not on the
//! text, that no two steps of a runbook fight: that the service is not rolled
//! back by a redeploy in one step and by `helm rollback` in the next (which,
//! followed in order, rolls *forward* to the bad revision again).

use serde::Serialize;

/// What a command changes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Target {
    /// The running service: its workload, whoever deploys it (a pipeline,
    /// Helm, kubectl, a GitOps controller, a progressive-delivery controller).
    Service,
    /// Kubernetes objects applied from manifests beside the workload
    /// (ConfigMaps, Services, autoscalers), named by their directory.
    Manifests(String),
    /// The database schema and data.
    Database,
    /// The release branch in git.
    Branch,
    /// Terraform-managed infrastructure, by directory.
    Terraform(String),
    /// The published package on its registry.
    Package(String),
}

/// How a command changes its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    /// Stops automation from changing the target (`flux suspend`, Argo CD
    /// auto-sync off, `kubectl argo rollouts abort`); the version stays.
    Hold,
    /// Lets automation change the target again (`flux resume`).
    Release,
    /// Sets the target to the previous release's state, named absolutely
    /// (a redeploy of the tag, `helm rollback R <revision>`, applying the
    /// manifests of the tag, a revert in git): running it twice is harmless.
    ToPrevious,
    /// Moves the target one revision back from wherever it is now
    /// (`kubectl rollout undo` without `--to-revision`, `helm rollback R`
    /// without a revision): after any other change of the same target it
    /// goes to the wrong revision.
    StepBack,
    /// Marks the published version as not to be used (yank, deprecate,
    /// retract).
    Withdraw,
    /// Publishes something new (a fix-forward release).
    Forward,
    /// Reads only (history, status, diff).
    Read,
}

impl Effect {
    /// Whether this changes which version the target runs or holds.
    pub fn moves(self) -> bool {
        matches!(self, Effect::ToPrevious | Effect::StepBack)
    }
}

/// One change a block makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub target: Target,
    pub effect: Effect,
}

/// Commands to paste, with a sentence that says what they do.
#[derive(Debug, Clone, Serialize)]
pub struct Block {
    pub intro: String,
    pub commands: Vec<String>,
    /// What the commands change; not rendered.
    #[serde(skip)]
    pub actions: Vec<Action>,
}

impl Block {
    pub fn new(intro: impl Into<String>, commands: Vec<String>, actions: Vec<Action>) -> Self {
        Self { intro: intro.into(), commands, actions }
    }
}

/// One of the alternatives of a step: "either" this, "or" that.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    /// `Either` for the first, `Or` for the others.
    pub label: &'static str,
    pub title: String,
    /// When to choose it.
    pub when: String,
    pub blocks: Vec<Block>,
}

/// A numbered step of the runbook.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub number: u32,
    /// A stable name for templates and tests: `database`, `service`,
    /// `revert`, `terraform`, `withdraw`, `fix-forward`, `verify`.
    pub id: &'static str,
    pub title: String,
    pub intro: Option<String>,
    /// Read before anything else in the step.
    pub warning: Option<String>,
    pub files: Vec<crate::model::PathEntry>,
    /// Commands to run in order, before the choices if there are any.
    pub blocks: Vec<Block>,
    /// Alternatives: run exactly one of them.
    pub choices: Vec<Choice>,
    pub notes: Vec<String>,
}

impl Step {
    pub fn new(id: &'static str, title: impl Into<String>) -> Self {
        Self {
            number: 0,
            id,
            title: title.into(),
            intro: None,
            warning: None,
            files: Vec::new(),
            blocks: Vec::new(),
            choices: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Every action of the step: its blocks' and every choice's.
    pub fn actions(&self) -> impl Iterator<Item = &Action> {
        self.blocks.iter().chain(self.choices.iter().flat_map(|c| &c.blocks)).flat_map(|b| &b.actions)
    }
}

/// The steps of `steps` that fight each other, as sentences (empty: none).
///
/// Two rules, checked on the recorded [`Action`]s:
/// 1. a target's version is moved ([`Effect::moves`]) in at most one step:
///    two steps that both take the service back run in order, so the second
///    one acts on the first one's result (a redeploy of the previous tag then
///    `helm rollback`, which returns to the revision before the redeploy,
///    the bad one). Alternatives inside one step are exclusive and count
///    once;
/// 2. along each way through one step (its blocks, then one choice), a
///    [`Effect::StepBack`] never follows another move of the same target.
pub fn conflicts(steps: &[Step]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut moved: Vec<(&Target, u32)> = Vec::new();
    for step in steps {
        let mut here: Vec<&Target> = step.actions().filter(|a| a.effect.moves()).map(|a| &a.target).collect();
        here.sort();
        here.dedup();
        for target in here {
            if let Some((_, first)) = moved.iter().find(|(t, _)| *t == target) {
                problems.push(format!(
                    "steps {first} and {} both move {target:?} back; followed in order the second undoes the first",
                    step.number
                ));
            } else {
                moved.push((target, step.number));
            }
        }
        let ways: Vec<Vec<&Block>> = if step.choices.is_empty() {
            vec![step.blocks.iter().collect()]
        } else {
            step.choices.iter().map(|c| step.blocks.iter().chain(&c.blocks).collect()).collect()
        };
        for way in ways {
            let mut seen: Vec<&Target> = Vec::new();
            for action in way.iter().flat_map(|b| &b.actions) {
                if action.effect == Effect::StepBack && seen.contains(&&action.target) {
                    problems.push(format!(
                        "step {}: a relative undo of {:?} follows another change of it",
                        step.number, action.target
                    ));
                }
                if action.effect.moves() {
                    seen.push(&action.target);
                }
            }
        }
    }
    problems
}

/// Numbers the steps 1, 2, … in order.
pub fn number(steps: &mut [Step]) {
    for (i, step) in steps.iter_mut().enumerate() {
        step.number = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(id: &'static str, actions: &[(Target, Effect)]) -> Step {
        let mut s = Step::new(id, id);
        s.blocks.push(Block::new(
            "x",
            vec![],
            actions.iter().map(|(t, e)| Action { target: t.clone(), effect: *e }).collect(),
        ));
        s
    }

    #[test]
    fn a_redeploy_then_a_platform_undo_fights() {
        let mut steps = vec![
            step("service", &[(Target::Service, Effect::ToPrevious)]),
            step("revert", &[(Target::Branch, Effect::ToPrevious)]),
            step("helm", &[(Target::Service, Effect::StepBack)]),
        ];
        number(&mut steps);
        assert_eq!(conflicts(&steps).len(), 1, "{:?}", conflicts(&steps));
    }

    #[test]
    fn alternatives_in_one_step_do_not_fight() {
        let mut s = Step::new("service", "x");
        for label in ["Either", "Or"] {
            s.choices.push(Choice {
                label,
                title: String::new(),
                when: String::new(),
                blocks: vec![Block::new(
                    "",
                    vec![],
                    vec![Action { target: Target::Service, effect: Effect::ToPrevious }],
                )],
            });
        }
        let mut steps = vec![s, step("revert", &[(Target::Branch, Effect::ToPrevious)])];
        number(&mut steps);
        assert!(conflicts(&steps).is_empty());
    }

    #[test]
    fn a_relative_undo_after_a_move_in_the_same_step_fights() {
        let mut steps = vec![step(
            "service",
            &[
                (Target::Service, Effect::Hold),
                (Target::Service, Effect::ToPrevious),
                (Target::Service, Effect::StepBack),
            ],
        )];
        number(&mut steps);
        assert_eq!(conflicts(&steps).len(), 1);
    }
}
