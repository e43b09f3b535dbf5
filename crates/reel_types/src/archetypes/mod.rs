//! Archetypes: the things users log, each a bundle of required and optional components.
//!
//! Every archetype keeps its data as [`ComponentBatch`]es, so a field can also be set from
//! an existing Arrow array without copying (`points.colors = Some(batch)`); builders take
//! anything that converts into the component. Each archetype also logs its *indicator*, a
//! one-element `Null` batch named `reel.indicators.<Archetype>`, so that readers know which
//! archetype a row came from.
//!
//! - [`points`]: `Points2D`, `Points3D`.
//! - [`shapes`]: `Boxes2D` (with [`RectFormat`]), `Boxes3D`, `LineStrips2D`,
//!   `LineStrips3D`, `LineSegments3D`, `Arrows3D`.
//! - [`mesh`]: `Mesh3D`, `Asset3D`.
//! - [`image`]: `Image`, `DepthImage`, `SegmentationImage`, `Tensor`, `BarChart`.
//! - [`text`]: `Scalar`, `TextLog`, `TextDocument`.
//! - [`spatial`]: `Transform3D`, `Pinhole`, `ViewCoordinates`, `DisconnectedSpace`,
//!   `AnnotationContext`, `Clear`.

use std::sync::{Arc, LazyLock};

use reel_core::arrow_array::{ArrayRef, NullArray};
use reel_core::{Component, ComponentBatch, ComponentName};

pub mod image;
pub mod mesh;
pub mod points;
pub mod shapes;
pub mod spatial;
pub mod text;

pub use image::{
    BarChart, DepthImage, EncodedImage, Image, ImageFormat, SegmentationImage, Tensor,
};
pub use mesh::{Asset3D, Mesh3D, MeshFormat};
pub use points::{Points2D, Points3D};
pub use shapes::{
    Arrows3D, Boxes2D, Boxes3D, LineSegments3D, LineStrips2D, LineStrips3D, RectFormat,
};
pub use spatial::{
    AnnotationContext, Clear, DisconnectedSpace, Pinhole, Rotation3D, Transform3D, ViewCoordinates,
};
pub use text::{Scalar, TextDocument, TextLog};

/// Whether an archetype's batches count the same instances (see
/// [`reel_core::AsComponents::instance_aligned`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instances {
    /// Every batch has one value per instance (or one for all, or none).
    Aligned,
    /// Batches count different things; the archetype checks its own lengths.
    Independent,
}

/// The prefix of indicator component names.
pub const INDICATOR_PREFIX: &str = "reel.indicators.";

/// One shared, one-element `Null` array: indicators cost no allocation per row.
static INDICATOR_ARRAY: LazyLock<ArrayRef> = LazyLock::new(|| Arc::new(NullArray::new(1)));

/// The indicator batch named `name`.
pub fn indicator(name: &'static str) -> ComponentBatch {
    ComponentBatch::from_static(ComponentName::from_static(name), &INDICATOR_ARRAY)
}

/// A batch of `C` from anything that converts into it. An owned `Vec<C>` is handed to
/// Arrow without copying (the identity conversion collects in place); exactly one value
/// (by its iterator's size) makes a batch without an Arrow array of its own for plain
/// components (see [`ComponentBatch::from_component`]).
pub fn batch<C: Component>(values: impl IntoIterator<Item = impl Into<C>>) -> ComponentBatch {
    let mut values = values.into_iter().map(Into::into);
    if C::plain_datatype().is_some() && values.size_hint() == (1, Some(1)) {
        if let Some(one) = values.next() {
            return ComponentBatch::from_component(&[one]);
        }
    }
    let values: Vec<C> = values.collect();
    ComponentBatch::new(C::name(), C::to_arrow_owned(values))
}

/// A batch of one `C`, moved into Arrow where the component allows (see [`batch`]).
pub fn batch1<C: Component>(value: impl Into<C>) -> ComponentBatch {
    batch::<C>(std::iter::once(value.into()))
}

/// Defines an archetype: a struct of component batches, `with_*` builders, and
/// `AsComponents`. With `Name new { .. }`, also a constructor from the required components;
/// with `instances: Independent;`, batches are not held to the instance-count rule.
macro_rules! archetype {
    (
        $(#[$doc:meta])*
        $name:ident new {
            $( instances: $rule:ident; )?
            $( required $req:ident: $rty:ty; )*
            $( optional $opt:ident: $oty:ty => $with:ident; )*
        }
    ) => {
        archetype! {
            $(#[$doc])*
            $name {
                $( instances: $rule; )?
                $( required $req: $rty; )*
                $( optional $opt: $oty => $with; )*
            }
        }

        impl $name {
            /// An archetype from its required components; optional ones are unset.
            pub fn new($($req: impl IntoIterator<Item = impl Into<$rty>>),*) -> Self {
                Self::from_required($($crate::archetypes::batch::<$rty>($req)),*)
            }
        }
    };
    (
        $(#[$doc:meta])*
        $name:ident {
            $( instances: $rule:ident; )?
            $( required $req:ident: $rty:ty; )*
            $( optional $opt:ident: $oty:ty => $with:ident; )*
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name {
            $(
                #[doc = concat!("Required: `", stringify!($rty), "` batch.")]
                pub $req: reel_core::ComponentBatch,
            )*
            $(
                #[doc = concat!("Optional: `", stringify!($oty), "` batch (one per instance, or one for all).")]
                pub $opt: Option<reel_core::ComponentBatch>,
            )*
        }

        impl $name {
            /// The indicator component's name.
            pub const INDICATOR: &'static str = concat!("reel.indicators.", stringify!($name));

            /// An archetype from already-built batches of its required components.
            #[allow(clippy::new_without_default)]
            pub fn from_required($($req: reel_core::ComponentBatch),*) -> Self {
                Self {
                    $( $req, )*
                    $( $opt: None, )*
                }
            }

            $(
                #[doc = concat!("Sets `", stringify!($opt), "`: one value per instance, or one for all.")]
                pub fn $with(mut self, values: impl IntoIterator<Item = impl Into<$oty>>) -> Self {
                    self.$opt = Some($crate::archetypes::batch::<$oty>(values));
                    self
                }
            )*
        }

        impl reel_core::AsComponents for $name {
            fn as_component_batches(&self) -> Vec<reel_core::ComponentBatch> {
                // Sized once: the indicator is pushed last.
                const N: usize = 1 + [$(stringify!($req),)* $(stringify!($opt),)*].len();
                let mut out = Vec::with_capacity(N);
                reel_core::AsComponents::append_component_batches(self, &mut out);
                out
            }

            fn append_component_batches(&self, out: &mut Vec<reel_core::ComponentBatch>) {
                $( out.push(self.$req.clone()); )*
                $( out.extend(self.$opt.clone()); )*
                out.push($crate::archetypes::indicator(Self::INDICATOR));
            }

            fn instance_aligned(&self) -> bool {
                #[allow(unused_variables)]
                let rule = $crate::archetypes::Instances::Aligned;
                $( let rule = $crate::archetypes::Instances::$rule; )?
                rule == $crate::archetypes::Instances::Aligned
            }
        }
    };
}

pub(crate) use archetype;

#[cfg(test)]
pub(crate) mod test_util {
    use reel_core::{AsComponents, Component, ComponentBatch};

    /// The batch named like `C` among `a`'s batches.
    pub fn find<'a>(batches: &'a [ComponentBatch], name: &str) -> Option<&'a ComponentBatch> {
        batches.iter().find(|b| b.name().as_str() == name)
    }

    /// The values of component `C` that `a` logs.
    pub fn values<C: Component>(a: &impl AsComponents) -> Vec<C> {
        let batches = a.as_component_batches();
        find(&batches, C::NAME)
            .unwrap_or_else(|| panic!("no {}", C::NAME))
            .to_component::<C>()
            .expect("typed values")
    }
}
