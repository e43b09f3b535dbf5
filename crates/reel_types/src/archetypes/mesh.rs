//! Triangle meshes, and 3D assets kept as encoded files (glTF, GLB, OBJ).

use crate::components::{
    AlbedoFactor, Blob, ClassId, Color, InstanceKey, Mat4x4, MediaType, Normal3D, Position3D,
    TexCoord2D, TriangleIndices,
};
use crate::ValidationError;

use super::{archetype, batch1};

archetype! {
    /// A triangle mesh: vertex positions, optional triangle indices (without them every
    /// three vertices form a triangle), normals, colors and texture coordinates.
    Mesh3D new {
        instances: Independent;
        required vertex_positions: Position3D;
        optional indices: TriangleIndices => with_indices;
        optional vertex_normals: Normal3D => with_vertex_normals;
        optional vertex_colors: Color => with_vertex_colors;
        optional vertex_texcoords: TexCoord2D => with_vertex_texcoords;
        optional albedo_factor: AlbedoFactor => with_albedo_factor;
        optional class_ids: ClassId => with_class_ids;
        optional instance_keys: InstanceKey => with_instance_keys;
    }
}

impl Mesh3D {
    /// Checks the mesh: finite positions, indices within the vertices, per-vertex
    /// attributes (normals, texture coordinates; colors unless one for all) of the right
    /// length, and without indices a vertex count divisible by three.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let unreadable = |what: &str, e: reel_core::DeserializationError| {
            ValidationError::Shape(format!("mesh {what}: {e}"))
        };
        let positions = self
            .vertex_positions
            .to_component::<Position3D>()
            .map_err(|e| unreadable("positions", e))?;
        let vertices = positions.len();
        if let Some(index) = positions
            .iter()
            .position(|p| !p.0.iter().all(|v| v.is_finite()))
        {
            return Err(ValidationError::NonFinite {
                what: "mesh vertex positions",
                index,
            });
        }
        match &self.indices {
            Some(batch) => {
                let triangles = batch
                    .to_component::<TriangleIndices>()
                    .map_err(|e| unreadable("indices", e))?;
                for (triangle, t) in triangles.iter().enumerate() {
                    if let Some(&index) = t.0.iter().find(|&&i| i as usize >= vertices) {
                        return Err(ValidationError::MeshIndexOutOfRange {
                            triangle,
                            index,
                            vertices,
                        });
                    }
                }
            }
            None if vertices % 3 != 0 => {
                return Err(ValidationError::Shape(format!(
                    "a mesh without indices needs a multiple of 3 vertices, got {vertices}"
                )));
            }
            None => {}
        }
        let check_len = |what: &'static str, count: usize, splat_ok: bool| {
            if count == vertices || (splat_ok && count == 1) {
                Ok(())
            } else {
                Err(ValidationError::MeshAttributeLength {
                    what,
                    count,
                    vertices,
                })
            }
        };
        if let Some(b) = &self.vertex_normals {
            check_len("normals", b.len(), false)?;
        }
        if let Some(b) = &self.vertex_texcoords {
            check_len("texture coordinates", b.len(), false)?;
        }
        if let Some(b) = &self.vertex_colors {
            check_len("vertex colors", b.len(), true)?;
        }
        Ok(())
    }
}

/// The formats of mesh files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeshFormat {
    /// Binary glTF.
    Glb,
    /// JSON glTF (self-contained: buffers embedded as data URIs).
    Gltf,
    /// Wavefront OBJ.
    Obj,
}

impl MeshFormat {
    /// The media type of the format.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Glb => MediaType::GLB,
            Self::Gltf => MediaType::GLTF,
            Self::Obj => MediaType::OBJ,
        }
    }

    /// The format of a file name's extension (`.glb`, `.gltf`, `.obj`, any case).
    pub fn from_extension(path: &std::path::Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "glb" => Some(Self::Glb),
            "gltf" => Some(Self::Gltf),
            "obj" => Some(Self::Obj),
            _ => None,
        }
    }
}

archetype! {
    /// A 3D asset kept as its encoded file (glTF, GLB or OBJ), with an optional transform.
    Asset3D {
        required blob: Blob;
        optional media_type: MediaType => with_media_types;
        optional transform: Mat4x4 => with_transforms;
    }
}

impl Asset3D {
    /// An asset from file bytes in `format`, parsed once to make sure they are valid.
    pub fn from_bytes(bytes: Vec<u8>, format: MeshFormat) -> Result<Self, ValidationError> {
        let bad = |reason: String| ValidationError::UnsupportedFile {
            format: format.media_type().to_owned(),
            reason,
        };
        match format {
            MeshFormat::Glb | MeshFormat::Gltf => {
                let gltf = gltf::Gltf::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
                let is_glb = bytes.starts_with(b"glTF");
                if is_glb != (format == MeshFormat::Glb) {
                    return Err(bad(format!(
                        "the bytes are {}",
                        if is_glb {
                            "binary glTF (GLB)"
                        } else {
                            "JSON glTF"
                        }
                    )));
                }
                if gltf.meshes().len() == 0 {
                    return Err(bad("the file holds no mesh".into()));
                }
            }
            MeshFormat::Obj => {
                let options = tobj::LoadOptions {
                    triangulate: true,
                    ..Default::default()
                };
                let (models, _) =
                    tobj::load_obj_buf(&mut std::io::Cursor::new(&bytes), &options, |_| {
                        // Materials live in other files; an asset is validated on its geometry.
                        Ok(Default::default())
                    })
                    .map_err(|e| bad(e.to_string()))?;
                if models.iter().all(|m| m.mesh.positions.is_empty()) {
                    return Err(bad("the file holds no vertices".into()));
                }
            }
        }
        Ok(Self::from_required(batch1::<Blob>(bytes)).with_media_types([format.media_type()]))
    }

    /// Sets an affine transform given as 3 rows of 4 (rotation/scale, then translation).
    pub fn with_affine3x4(self, rows: [[f32; 4]; 3]) -> Self {
        let mut m = [0.0f32; 16];
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                m[c * 4 + r] = *v;
            }
        }
        m[15] = 1.0;
        self.with_transforms([Mat4x4(m)])
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::archetypes::test_util::values;

    /// A one-triangle OBJ file.
    pub const OBJ: &str = "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n";

    /// A minimal valid binary glTF with one triangle, built in code.
    pub fn glb() -> Vec<u8> {
        let positions: Vec<u8> = [0.0f32, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let json = format!(
            concat!(
                r#"{{"asset":{{"version":"2.0"}},"buffers":[{{"byteLength":{n}}}],"#,
                r#""bufferViews":[{{"buffer":0,"byteLength":{n}}}],"#,
                r#""accessors":[{{"bufferView":0,"componentType":5126,"count":3,"type":"VEC3","min":[0,0,0],"max":[1,1,0]}}],"#,
                r#""meshes":[{{"primitives":[{{"attributes":{{"POSITION":0}}}}]}}],"#,
                r#""nodes":[{{"mesh":0}}],"scenes":[{{"nodes":[0]}}],"scene":0}}"#
            ),
            n = positions.len()
        );
        let mut json = json.into_bytes();
        while json.len() % 4 != 0 {
            json.push(b' ');
        }
        let total = 12 + 8 + json.len() + 8 + positions.len();
        let mut out = Vec::new();
        out.extend_from_slice(b"glTF");
        out.extend_from_slice(&2u32.to_le_bytes());
        out.extend_from_slice(&(total as u32).to_le_bytes());
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(b"JSON");
        out.extend_from_slice(&json);
        out.extend_from_slice(&(positions.len() as u32).to_le_bytes());
        out.extend_from_slice(b"BIN\0");
        out.extend_from_slice(&positions);
        out
    }

    #[test]
    fn valid_meshes_pass() {
        let m = Mesh3D::new([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
            .with_indices([[0u32, 1, 2]])
            .with_vertex_normals([[0.0, 0.0, 1.0]; 3])
            .with_vertex_colors([Color::from_rgb(1, 2, 3)]);
        m.validate().expect("valid");
        assert_eq!(values::<TriangleIndices>(&m), [TriangleIndices([0, 1, 2])]);
        Mesh3D::new([[0.0; 3]; 6])
            .validate()
            .expect("two unindexed triangles");
    }

    #[test]
    fn invalid_meshes_are_typed_errors() {
        let tri = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]];
        let e = Mesh3D::new(tri)
            .with_indices([[0u32, 1, 3]])
            .validate()
            .expect_err("index 3");
        assert_eq!(
            e,
            ValidationError::MeshIndexOutOfRange {
                triangle: 0,
                index: 3,
                vertices: 3
            }
        );
        let e = Mesh3D::new([[f32::NAN, 0.0, 0.0]; 3])
            .validate()
            .expect_err("nan");
        assert!(
            matches!(e, ValidationError::NonFinite { index: 0, .. }),
            "{e}"
        );
        let e = Mesh3D::new(tri)
            .with_vertex_normals([[0.0; 3]; 2])
            .validate()
            .expect_err("normals");
        assert!(
            matches!(e, ValidationError::MeshAttributeLength { count: 2, .. }),
            "{e}"
        );
        assert!(
            Mesh3D::new([[0.0; 3]; 4]).validate().is_err(),
            "4 vertices, no indices"
        );
    }

    #[test]
    fn mesh_files_are_validated() {
        let glb = glb();
        let a = Asset3D::from_bytes(glb.clone(), MeshFormat::Glb).expect("valid glb");
        assert_eq!(values::<MediaType>(&a)[0].0, MediaType::GLB);
        assert_eq!(values::<Blob>(&a)[0].0, glb);
        Asset3D::from_bytes(OBJ.as_bytes().to_vec(), MeshFormat::Obj).expect("valid obj");

        let e = Asset3D::from_bytes(b"not a mesh".to_vec(), MeshFormat::Glb).expect_err("garbage");
        assert!(matches!(e, ValidationError::UnsupportedFile { .. }), "{e}");
        let e =
            Asset3D::from_bytes(glb[..glb.len() / 2].to_vec(), MeshFormat::Glb).expect_err("cut");
        assert!(matches!(e, ValidationError::UnsupportedFile { .. }), "{e}");
        let e = Asset3D::from_bytes(glb, MeshFormat::Gltf).expect_err("glb named gltf");
        assert!(e.to_string().contains("binary glTF"), "{e}");
        assert!(Asset3D::from_bytes(b"# nothing\n".to_vec(), MeshFormat::Obj).is_err());

        let t = Asset3D::from_bytes(OBJ.as_bytes().to_vec(), MeshFormat::Obj)
            .expect("obj")
            .with_affine3x4([
                [1.0, 0.0, 0.0, 5.0],
                [0.0, 1.0, 0.0, 6.0],
                [0.0, 0.0, 1.0, 7.0],
            ]);
        let m = values::<Mat4x4>(&t)[0];
        assert_eq!((m.0[12], m.0[13], m.0[14], m.0[15]), (5.0, 6.0, 7.0, 1.0));
        assert_eq!(
            MeshFormat::from_extension(std::path::Path::new("a/B.GLB")),
            Some(MeshFormat::Glb)
        );
    }
}
